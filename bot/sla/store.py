"""Reading a ticket's log and delivered answers from the store, in bulk, for the clocks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.sla.calendar import Calendar
from bot.sla.clock import Clocks, compute_clocks
from bot.sla.events import clock_events, requester_answers
from bot.sla.policy import Policy
from bot.store.models import Outbox, OutboxStatus, TicketEvent


def utc(value: datetime) -> datetime:
    """A stored instant, aware. Write instants in UTC: SQLite keeps the wall-clock digits and
    drops the offset, and gives them back naive; PostgreSQL gives them back aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite caps bound parameters (32,766 since 3.32); stay well below it.
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``ticket_event`` row, light (reports read tens of thousands of them)."""

    at: datetime
    type: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Sent:
    """One delivered ``outbox`` row of the ticket."""

    audience: str
    sent_at: datetime | None


@dataclass
class TicketLog:
    """One ticket's log entries (insertion order) and its delivered outbox rows."""

    events: list[Entry] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)

    def clocks(
        self, policy: Policy, calendars: Mapping[str, Calendar], now: datetime
    ) -> Clocks | None:
        """The clocks as of ``now``; None when the log has no opening (yet) at ``now``."""
        events = clock_events(self.events, requester_answers(self.sent))
        if not events or events[0].at > now:
            return None
        return compute_clocks(events, policy, calendars, now)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


async def load_logs(
    session: AsyncSession, ticket_ids: Iterable[int], *, with_outbox: bool = True
) -> dict[int, TicketLog]:
    """Every ticket's log, in a few queries whatever the number of tickets."""
    ids = sorted(set(ticket_ids))
    logs: dict[int, TicketLog] = defaultdict(TicketLog)
    for chunk in _chunks(ids):
        events = await session.exec(
            select(
                TicketEvent.ticket_id,
                TicketEvent.at,
                TicketEvent.type,
                TicketEvent.data,
            )
            .where(col(TicketEvent.ticket_id).in_(chunk))
            .order_by(col(TicketEvent.ticket_id), col(TicketEvent.id))
        )
        for ticket_id, at, type_, data in events:
            logs[ticket_id].events.append(Entry(utc(at), type_, data or {}))
        if with_outbox:
            rows = await session.exec(
                select(Outbox.ticket_id, Outbox.audience, Outbox.sent_at).where(
                    col(Outbox.ticket_id).in_(chunk), Outbox.status == OutboxStatus.SENT
                )
            )
            for owner, audience, sent_at in rows:
                if owner is not None:
                    logs[owner].sent.append(Sent(audience, utc(sent_at) if sent_at else None))
    return {i: logs[i] for i in ids}
