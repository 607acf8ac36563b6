"""The one writer of a ticket's log: every change to a ticket is an entry of a known type.

`record` appends a ``ticket_event`` row inside the caller's session (the caller commits, with
any outbox row the change causes); `move` changes the status, refusing what the workflow does
not allow. The clocks (`bot.sla.events`) and the reports read this log, so nothing else inserts
rows. The vocabulary and what each entry carries is documented in `bot.sla.events`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.bulk import insert_rows
from bot.store.models import Ticket, TicketEvent
from bot.tickets.errors import TicketRuleError
from bot.tickets.labels import Status


class EventType(StrEnum):
    OPENED = "opened"
    PROPOSED = "proposed"
    MESSAGE_ADDED = "message_added"
    NOT_ON_TICKET = "not_on_ticket"
    """A message claimed a ticket its sender is not on (opened its own instead)."""
    ACK_WITHHELD = "ack_withheld"
    AUTOMATED_MAIL = "automated_mail"
    """An automated mail (a bounce, an auto-reply) arrived in the ticket's thread."""
    SEVERITY_SET = "severity_set"
    LEVEL_SET = "level_set"
    TEAM_SET = "team_set"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    AGENT_REPLY = "agent_reply"
    NOTE_ADDED = "note_added"
    """An agent's internal note (`message`: the stored message): never sent to the requester."""
    BOT_REPLY = "bot_reply"
    REDIRECTED = "redirected"
    OUTAGE_LINKED = "outage_linked"
    SELFSERVICE_OFFERED = "selfservice_offered"
    SELFSERVICE_CONFIRMED = "selfservice_confirmed"
    SELFSERVICE_EXPIRED = "selfservice_expired"
    SLA_WARNING = "sla_warning"
    BURST_PROPOSED = "burst_proposed"
    BURST_DISMISSED = "burst_dismissed"
    MERGED_INTO = "merged_into"
    """This ticket was a duplicate: its messages moved to `into`, it is closed."""
    MERGED_FROM = "merged_from"
    """A duplicate's messages joined this ticket."""

    @property
    def touches(self) -> bool:
        """Whether the entry is a change to the ticket (its `updated_at` moves). The watchers'
        own memories (a warning sent, a burst card shown) are not."""
        return self not in _MEMORIES


_MEMORIES = frozenset(
    {
        EventType.AUTOMATED_MAIL,
        EventType.SLA_WARNING,
        EventType.BURST_PROPOSED,
        EventType.BURST_DISMISSED,
    }
)

_WORKING = {Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_USER}
_ENDS = {Status.RESOLVED, Status.CLOSED, Status.REDIRECTED, Status.LINKED}
ALLOWED: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset(_WORKING | _ENDS),
    Status.OPEN: frozenset((_WORKING | _ENDS) - {Status.OPEN}),
    Status.IN_PROGRESS: frozenset((_WORKING | _ENDS) - {Status.IN_PROGRESS}),
    Status.WAITING_ON_USER: frozenset((_WORKING | _ENDS) - {Status.WAITING_ON_USER}),
    Status.RESOLVED: frozenset(_WORKING | {Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
    Status.REDIRECTED: frozenset(_WORKING | {Status.RESOLVED, Status.CLOSED}),
    Status.LINKED: frozenset(_WORKING | {Status.RESOLVED, Status.CLOSED}),
}
"""The workflow: `new` is only ever the first status; a closed ticket can only be reopened."""


def stored(value: object) -> Any:
    """A value as the log keeps it: JSON types as they are, enums by value, the rest as text."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    return str(value)


def record(
    session: AsyncSession,
    ticket: Ticket,
    now: datetime,
    type_: EventType,
    actor: str = "bot",
    /,
    **data: object,
) -> TicketEvent:
    """Append one entry to the ticket's log; the caller commits."""
    if ticket.id is None:
        raise TicketRuleError("flush_first")
    event = entry(ticket.id, now, type_, actor, **data)
    session.add(event)
    if type_.touches:
        ticket.updated_at = event.at
    return event


def entry(
    ticket_id: int, now: datetime, type_: EventType, actor: str = "bot", /, **data: object
) -> TicketEvent:
    """One log row for a ticket known by its id only (the watchers' memories, which never
    touch the ticket); everything else goes through `record`. The caller adds it."""
    return TicketEvent(**row(ticket_id, now, type_, actor, **data))


def row(
    ticket_id: int, now: datetime, type_: EventType, actor: str = "bot", /, **data: object
) -> dict[str, Any]:
    """One log row's column values, for `append` (and `entry`)."""
    return {
        "ticket_id": ticket_id,
        "at": now.astimezone(UTC),  # SQLite drops offsets: the store holds UTC
        "type": type_.value,
        "actor": actor,
        "data": {key: stored(value) for key, value in data.items()},
    }


async def append(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Several log rows (`row`) in one statement, in the caller's transaction: the entries
    that open a batch of new tickets, whose `updated_at` is the moment they were opened. No
    object is made for them (a storm makes thousands): nothing in the transaction reads them."""
    await insert_rows(session, TicketEvent, rows)


def move(
    session: AsyncSession, ticket: Ticket, to: Status | str, actor: str, now: datetime
) -> bool:
    """Move the ticket to status `to` (logged); False, and nothing written, when it is there.

    Raises `TicketRuleError` for a change the workflow does not allow (see `ALLOWED`).
    """
    to = Status(to)  # ValueError for a status that does not exist (a programming error)
    old = Status(ticket.status)
    if old == to:
        return False
    if to not in ALLOWED[old]:
        raise TicketRuleError("transition", number=ticket.number or "", old=old, new=to)
    record(session, ticket, now, EventType.STATUS_CHANGED, actor, **{"from": old, "to": to})
    ticket.status = to
    return True
