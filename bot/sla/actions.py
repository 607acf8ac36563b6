"""What agents (and the bot) do to a ticket that moves its clocks, written as log entries.

Each function changes the ticket row and appends the matching ``ticket_event`` inside the
caller's session; the caller commits (with any outbox row the change causes). The vocabulary is
documented in `bot.sla.events`. The Slack and console actions call these, never raw inserts, so
the clocks and the reports read one consistent log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.sla.clock import Responder
from bot.sla.events import (
    AGENT_REPLY,
    BOT_REPLY,
    LEVEL_SET,
    SEVERITY_SET,
    STATUS_CHANGED,
    proposed_severity,
)
from bot.sla.store import utc
from bot.store.models import Ticket, TicketEvent, TicketStatus
from nlp.labels import Kind, Level, Severity


def append_event(
    session: AsyncSession, ticket: Ticket, now: datetime, type_: str, actor: str, **data: Any
) -> TicketEvent:
    """Append one entry to the ticket's log (and touch the ticket); the caller commits."""
    if ticket.id is None:
        raise ValueError("the ticket must be flushed (have an id) before events are added")
    now = utc(now)  # SQLite drops offsets: the store holds UTC
    event = TicketEvent(ticket_id=ticket.id, at=now, type=type_, actor=actor, data=data)
    session.add(event)
    ticket.updated_at = now
    return event


async def set_status(
    session: AsyncSession, ticket: Ticket, to: TicketStatus | str, actor: str, now: datetime
) -> bool:
    """Move the ticket to status ``to``; False (and nothing written) when it is already there."""
    new = TicketStatus(to)  # ValueError on a status that does not exist
    old = ticket.status
    if old == new:
        return False
    append_event(session, ticket, now, STATUS_CHANGED, actor, **{"from": old, "to": new.value})
    ticket.status = new
    return True


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
        ticket.kind = kind.value
    if severity is not None and ticket.kind not in (None, Kind.INCIDENT):
        raise ValueError(f"a {ticket.kind} carries no severity; reclassify it as an incident")
    confirmed = _proposed(ticket) == severity
    append_event(
        session,
        ticket,
        now,
        SEVERITY_SET,
        actor,
        **{
            "from": ticket.severity,
            "to": severity.value if severity else None,
            "by": actor,
            "kind": ticket.kind,
            "confirmed": confirmed,
        },
    )
    ticket.severity = severity.value if severity else None
    if ticket.status == TicketStatus.NEW:
        await set_status(session, ticket, TicketStatus.OPEN, actor, now)


async def confirm_proposal(
    session: AsyncSession, ticket: Ticket, actor: str, now: datetime
) -> None:
    """An agent accepts the classifier's proposal as it stands (counts as "confirmed")."""
    proposed = _proposed(ticket)
    if proposed is None and ticket.kind == Kind.INCIDENT:
        raise ValueError(f"{ticket.number}: the proposal has no severity to confirm; set one")
    await set_severity(session, ticket, proposed, actor, now)


async def set_level(
    session: AsyncSession, ticket: Ticket, level: Level, actor: str, now: datetime
) -> bool:
    """Route the ticket to another support level; N2/N3 counts as an escalation past N1."""
    if ticket.level == level:
        return False
    append_event(
        session, ticket, now, LEVEL_SET, actor, **{"from": ticket.level, "to": level.value}
    )
    ticket.level = level.value
    return True


async def record_answer(
    session: AsyncSession,
    ticket: Ticket,
    by: Responder,
    now: datetime,
    *,
    actor: str = "bot",
    message: int | None = None,
) -> None:
    """A person (``agent_reply``, actor = the agent) or the bot (``bot_reply``) answered the user.

    The bot's outbox deliveries count by themselves; use ``bot_reply`` for answers that do not go
    through the outbox (a self-service answer shown in a chat window).
    """
    type_ = AGENT_REPLY if by is Responder.PERSON else BOT_REPLY
    append_event(session, ticket, now, type_, actor, message=message)


def _proposed(ticket: Ticket) -> Severity | None:
    return proposed_severity(ticket.triage or {})
