"""One ticket as the monthly report sees it: its labels, its clocks as of the end of the period,
and its outcomes read from its log (`bot.reports.outcomes`). Built by `bot.reports.collect`,
counted by `bot.reports.metrics`, written out by `bot.reports.export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket with its clocks as of the end of the period, as the report needs it."""

    number: str
    organisation: str
    created_at: datetime
    kind: str | None
    severity: str | None
    level: str | None
    team: str | None
    channel: str
    status: str
    in_month: bool
    state: str  # ClockState value: running, paused, stopped, breached
    budget_seconds: float | None = None
    elapsed_seconds: float = 0.0
    paused_seconds: float = 0.0
    fraction: float | None = None
    due: datetime | None = None
    met: bool | None = None
    resolved_at: datetime | None = None
    first_answer_seconds: float | None = None
    first_person_answer_seconds: float | None = None
    first_answer_met: bool | None = None
    first_person_answer_met: bool | None = None
    reopened: int = 0
    escalated: bool = False
    severity_decision: str | None = None  # "confirmed", "changed" or None
    redirected_to: str | None = None  # catalogue id ("" unknown); None: not redirected
    outage: str | None = None  # the outage it reports ("" unknown); None: not linked
    self_service: str | None = None  # offered, solved, unsolved, expired; None: no article
    article: str | None = None  # the last knowledge-base article offered (slug)

    @property
    def resolved(self) -> bool:
        return self.state == "stopped"

    @property
    def redirected(self) -> bool:
        return self.redirected_to is not None

    @property
    def linked(self) -> bool:
        return self.outage is not None

    @property
    def incident(self) -> bool:
        """An incident of the desk's with a restoration target. Redirected ones are not, nor
        reports linked to an outage: their clock stops when linked, so they would always look
        restored in time; the outage is followed on its own."""
        return (
            self.kind == "incident"
            and self.budget_seconds is not None
            and not self.redirected
            and self.outage is None
        )
