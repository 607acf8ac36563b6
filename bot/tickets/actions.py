"""What agents (and the bot) do to a ticket that moves its clocks, written as log entries.

Each function changes the ticket row and appends the matching ``ticket_event`` inside the
caller's session; the caller commits (with any outbox row the change causes). Every entry goes
through `bot.tickets.log`; the vocabulary is documented in `bot.sla.events`. The Slack and
console actions call these, never raw inserts, so the clocks and the reports read one log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Ticket
from bot.tickets.errors import TicketRuleError
from bot.tickets.labels import Kind, Level, Severity, Status
from bot.tickets.log import EventType, move, record

__all__ = [
    "confirm_proposal",
    "proposed_severity",
    "record",
    "record_answer",
    "set_level",
    "set_severity",
    "set_status",
]


def proposed_severity(data: Mapping[str, Any]) -> Severity | None:
    """The restoration severity a proposal (or a ``proposed`` entry) gives: incidents only."""
    if str(data.get("kind")) != Kind.INCIDENT:
        return None
    try:
        return Severity(str(data.get("severity")))
    except ValueError:
        return None


async def set_status(
    session: AsyncSession, ticket: Ticket, to: Status, actor: str, now: datetime
) -> bool:
    """Move the ticket to status ``to``; False (and nothing written) when it is already there.
    `TicketRuleError` for a change the workflow does not allow."""
    return move(session, ticket, to, actor, now)


async def set_severity(
    session: AsyncSession,
    ticket: Ticket,
    severity: Severity | None,
    actor: str,
    now: datetime,
    *,
    kind: Kind | None = None,
) -> None:
    """An agent sets the severity (None: no restoration target, e.g. reclassified as a request).

    The clocks recompute the due time from the opening with this severity, pauses kept. Also
    opens a ``new`` ticket: the proposal has been looked at.
    """
    if kind is not None:
        ticket.kind = kind
    if severity is not None and ticket.kind not in (None, Kind.INCIDENT):
        raise TicketRuleError("no_severity_on", kind=ticket.kind)
    confirmed = _proposed(ticket) == severity
    record(
        session,
        ticket,
        now,
        EventType.SEVERITY_SET,
        actor,
        **{
            "from": ticket.severity,
            "to": severity.value if severity else None,
            "by": actor,
            "kind": ticket.kind,
            "confirmed": confirmed,
        },
    )
    ticket.severity = severity
    if ticket.status == Status.NEW:
        move(session, ticket, Status.OPEN, actor, now)


async def confirm_proposal(
    session: AsyncSession, ticket: Ticket, actor: str, now: datetime
) -> None:
    """An agent accepts the classifier's proposal as it stands (counts as "confirmed")."""
    proposed = _proposed(ticket)
    if proposed is None and ticket.kind == Kind.INCIDENT:
        raise TicketRuleError("nothing_to_confirm", number=ticket.number or "")
    await set_severity(session, ticket, proposed, actor, now)


async def set_level(
    session: AsyncSession, ticket: Ticket, level: Level, actor: str, now: datetime
) -> bool:
    """Route the ticket to another support level; N2/N3 counts as an escalation past N1."""
    if ticket.level == level:
        return False
    record(session, ticket, now, EventType.LEVEL_SET, actor, **{"from": ticket.level, "to": level})
    ticket.level = level
    return True


async def record_answer(
    session: AsyncSession,
    ticket: Ticket,
    by_person: bool,
    now: datetime,
    *,
    actor: str = "bot",
    message: int | None = None,
) -> None:
    """A person (``agent_reply``, actor = the agent) or the bot (``bot_reply``) answered the user.

    The bot's outbox deliveries count by themselves; use ``bot_reply`` for answers that do not go
    through the outbox (a self-service answer shown in a chat window).
    """
    type_ = EventType.AGENT_REPLY if by_person else EventType.BOT_REPLY
    record(session, ticket, now, type_, actor, message=message)


def _proposed(ticket: Ticket) -> Severity | None:
    return proposed_severity(ticket.triage or {})
