"""The monthly dashboard's figures. Pure: rows in (one per ticket, clocks already computed), figures out.

Definitions (triage guide, "How the targets apply to what the bot does"):

- The month's tickets are those opened during the month (policy time zone); their clocks are
  taken as of the end of the month (or now, for the month in progress).
- Restoration: incidents with a severity, except redirected ones; the rate is met / decided, where decided means
  resolved, or breached while still open. Open incidents still within budget are "en cours".
- Answer a user: first answer of any kind (the bot's acknowledgement counts) and first answer by
  a person, each met within the target (40 business seconds by default), per channel.
- First-contact resolution: office incidents (teams workstation, collaboration, printing,
  identity) resolved by the end of the month, and tickets of any kind whose requester confirmed
  that a knowledge-base article solved the problem; never redirected tickets nor reports of an
  outage (``linked``). Those never reopened that either were confirmed solved by self-service,
  or stayed at N1 and were never escalated, count as resolved at first contact.
- Redirected: the month's tickets sent to another support centre, per destination.
- Self-service: the month's tickets offered an article, and the requesters' answers; the rate
  is confirmed solved / offered.
- Linked: the month's tickets that report a declared outage (``rattachés à une panne``).
- Backlog: every ticket of the organisation still unresolved at the end of the month, whenever
  it was opened; at risk: those incidents past 75 % of their budget, or breached.
- Share of time paused: open time waiting on the user over open time (elapsed + paused) of the
  month's incidents with a target (not redirected).
- Agent decisions: the month's incidents (not redirected) whose proposal carried a severity, by the agent's first
  decision on it (confirmed as proposed, changed, or not yet decided). An internal figure for
  the desk: never in the client's report (page, CSV, mail).

The headline answer figure for a client is the first answer by a person; the first answer of
any kind (the bot's acknowledgement counts) is shown beside it, smaller and labelled.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.reports.outcomes import (
    SOLVED,
    SelfService,
    redirections,
    self_service_figures,
    share,
)
from bot.reports.rows import TicketRow

OFFICE_TEAMS = frozenset({"workstation", "collaboration", "printing", "identity"})
FCR_TARGET = 0.65
AT_RISK_FRACTION = 0.75
SEVERITIES = ("P1", "P2", "P3", "P4", "P5")


@dataclass(frozen=True, slots=True)
class Targets:
    """The policy's targets, as plain numbers (built from `bot.sla.policy.Policy`)."""

    restoration_hours: Mapping[str, float]
    restoration_share: Mapping[str, float]
    answer_seconds: float
    answer_share: float
    fcr_share: float = FCR_TARGET


@dataclass(frozen=True, slots=True)
class Rate:
    met: int
    decided: int

    @property
    def value(self) -> float | None:
        return self.met / self.decided if self.decided else None


@dataclass(frozen=True, slots=True)
class RestorationLine:
    severity: str
    hours: float
    target: float
    count: int
    rate: Rate
    pending: int

    @property
    def on_target(self) -> bool | None:
        value = self.rate.value
        return None if value is None else value >= self.target


@dataclass(frozen=True, slots=True)
class AnswerLine:
    channel: str
    count: int
    any: Rate
    person: Rate
    any_median: float | None
    person_median: float | None


@dataclass(frozen=True, slots=True)
class Figures:
    tickets: int
    restoration: list[RestorationLine]
    answers: list[AnswerLine]  # one per channel, then "total"
    answer_target: float
    answer_seconds: float
    fcr: Rate
    fcr_target: float
    by_kind: dict[str, int]
    by_team: dict[str, int]
    by_channel: dict[str, int]
    by_week: list[tuple[date, int]]
    backlog: int
    backlog_by_state: dict[str, int]
    at_risk: list[TicketRow]
    paused_share: float | None
    decisions: dict[str, int] = field(default_factory=dict)  # confirmed, changed, pending
    redirected: int = 0
    redirected_share: float | None = None  # of the month's tickets
    redirected_to: dict[str, int] = field(default_factory=dict)  # catalogue id → tickets
    linked: int = 0  # reports of a declared outage
    self_service: SelfService = field(default_factory=SelfService)


def _rate(flags: Iterable[bool | None]) -> Rate:
    decided = [f for f in flags if f is not None]
    return Rate(sum(1 for f in decided if f), len(decided))


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _counts(values: Iterable[str | None], missing: str = "–") -> dict[str, int]:
    return dict(Counter(v or missing for v in values).most_common())


def week_of(moment: datetime) -> date:
    """The Monday of the week ``moment`` falls in (in its own time zone)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def restoration(rows: Sequence[TicketRow], targets: Targets) -> list[RestorationLine]:
    lines = []
    for severity in SEVERITIES:
        chosen = [r for r in rows if r.incident and r.severity == severity]
        lines.append(
            RestorationLine(
                severity=severity,
                hours=targets.restoration_hours[severity],
                target=targets.restoration_share[severity],
                count=len(chosen),
                rate=_rate(r.met for r in chosen),
                pending=sum(1 for r in chosen if r.met is None),
            )
        )
    return lines


def answers(rows: Sequence[TicketRow]) -> list[AnswerLine]:
    groups: dict[str, list[TicketRow]] = {}
    for row in rows:
        groups.setdefault(row.channel, []).append(row)
    groups = dict(sorted(groups.items()))
    groups["total"] = list(rows)
    return [
        AnswerLine(
            channel=channel,
            count=len(chosen),
            any=_rate(r.first_answer_met for r in chosen),
            person=_rate(r.first_person_answer_met for r in chosen),
            any_median=_median(r.first_answer_seconds for r in chosen),
            person_median=_median(r.first_person_answer_seconds for r in chosen),
        )
        for channel, chosen in groups.items()
    ]


def fcr_eligible(row: TicketRow) -> bool:
    """Counted in first-contact resolution: resolved office incidents, and tickets confirmed
    solved by self-service; never redirected tickets nor reports of an outage."""
    if not row.resolved or row.redirected or row.linked:
        return False
    return (row.kind == "incident" and row.team in OFFICE_TEAMS) or row.self_service == SOLVED


def first_contact(rows: Sequence[TicketRow]) -> Rate:
    eligible = [r for r in rows if fcr_eligible(r)]
    first = [
        r
        for r in eligible
        if r.reopened == 0 and (r.self_service == SOLVED or (r.level == "N1" and not r.escalated))
    ]
    return Rate(len(first), len(eligible))


def paused_share(rows: Sequence[TicketRow]) -> float | None:
    chosen = [r for r in rows if r.incident]
    total = sum(r.elapsed_seconds + r.paused_seconds for r in chosen)
    return sum(r.paused_seconds for r in chosen) / total if total else None


def decisions(rows: Sequence[TicketRow]) -> dict[str, int]:
    chosen = [r for r in rows if r.incident]
    counted = Counter(r.severity_decision or "pending" for r in chosen)
    return {k: counted.get(k, 0) for k in ("confirmed", "changed", "pending")}


def compute(rows: Sequence[TicketRow], targets: Targets) -> Figures:
    """Every figure of one organisation's month. ``rows`` holds the month's tickets
    (``in_month``) and the older ones still open at its end (for the backlog)."""
    month = [r for r in rows if r.in_month]
    open_rows = [r for r in rows if not r.resolved]
    at_risk = sorted(
        (
            r
            for r in open_rows
            if r.incident and (r.state == "breached" or (r.fraction or 0) >= AT_RISK_FRACTION)
        ),
        key=lambda r: -(r.fraction or 0),
    )
    weeks = Counter(week_of(r.created_at) for r in month)
    redirected = redirections(month)
    return Figures(
        tickets=len(month),
        restoration=restoration(month, targets),
        answers=answers(month),
        answer_target=targets.answer_share,
        answer_seconds=targets.answer_seconds,
        fcr=first_contact(month),
        fcr_target=targets.fcr_share,
        by_kind=_counts(r.kind for r in month),
        by_team=_counts(r.team for r in month),
        by_channel=_counts(r.channel for r in month),
        by_week=sorted(weeks.items()),
        backlog=len(open_rows),
        backlog_by_state=_counts(r.state for r in open_rows),
        at_risk=at_risk,
        paused_share=paused_share(month),
        decisions=decisions(month),
        redirected=sum(redirected.values()),
        redirected_share=share(sum(redirected.values()), len(month)),
        redirected_to=redirected,
        linked=sum(1 for r in month if r.linked),
        self_service=self_service_figures(month),
    )
