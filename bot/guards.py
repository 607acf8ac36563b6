"""Last checks before a notification leaves: suppressed addresses and send caps.

Automated mail is filtered on the way in, but a loop can still slip through (two robots that do
not follow RFC 3834). The caps stop it from our side: past them, a notification is kept as dead,
with the reason, and the operator log says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Mapped
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Outbox, OutboxStatus, Suppression
from bot.tickets.outbox import Audience
from intake.message import Channel

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class SendCaps:
    per_recipient_per_hour: int = 20
    per_ticket_per_day: int = 30
    bounce_suppression: timedelta = timedelta(days=30)


@dataclass(slots=True)
class Budget:
    """What the caps still allow the rows of one claim, read for all of them at once (three
    statements, not four per row) and spent as they are sent. A lane is one recipient, so the
    per-recipient count stays exact within a claim; rows of one ticket sent by another claim
    or worker meanwhile are seen at the next claim."""

    caps: SendCaps
    suppressed: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    by_recipient: Counter[str] = field(default_factory=Counter)
    by_ticket: Counter[int] = field(default_factory=Counter)

    def why_blocked(self, row: Outbox, now: datetime) -> str | None:
        """The reason not to send `row` now, or None."""
        if row.channel == Channel.EMAIL and row.recipient:
            until, reason = self.suppressed.get(row.recipient.lower(), (None, ""))
            if until is not None and until > now:
                return f"address suppressed until {until:%Y-%m-%d} ({reason})"
        if _capped(row):
            recent = self.by_recipient[row.recipient]
            if recent >= self.caps.per_recipient_per_hour:
                return f"send cap: {recent} notifications to this recipient in the last hour"
        if row.ticket_id is not None:
            recent = self.by_ticket[row.ticket_id]
            if recent >= self.caps.per_ticket_per_day:
                return f"send cap: {recent} notifications for this ticket in the last day"
        return None

    def spend(self, row: Outbox) -> None:
        """`row` was sent: it counts against its recipient and its ticket."""
        if _capped(row):
            self.by_recipient[row.recipient] += 1
        if row.ticket_id is not None:
            self.by_ticket[row.ticket_id] += 1


async def read_budget(
    session: AsyncSession, rows: Sequence[Outbox], caps: SendCaps, now: datetime
) -> Budget:
    """The suppressions and recent sends that concern `rows`."""
    budget = Budget(caps)
    addresses = {r.recipient for r in rows if r.channel == Channel.EMAIL and r.recipient}
    found = await suppressions(session, addresses, now)
    budget.suppressed = {s.address: (s.until, s.reason) for s in found}
    recipients = {r.recipient for r in rows if _capped(r)}
    if recipients:
        budget.by_recipient = await _sent_since(
            session, col(Outbox.recipient), recipients, now - timedelta(hours=1)
        )
    tickets = {r.ticket_id for r in rows if r.ticket_id is not None}
    if tickets:
        budget.by_ticket = await _sent_since(
            session, col(Outbox.ticket_id), tickets, now - timedelta(days=1)
        )
    return budget


async def suppressions(
    session: AsyncSession, addresses: Collection[str], now: datetime
) -> list[Suppression]:
    """The suppressions in force among `addresses` (compared lower-cased), in one statement."""
    wanted = {a.lower() for a in addresses if a}
    if not wanted:
        return []
    found = await session.exec(
        select(Suppression).where(
            col(Suppression.address).in_(wanted), col(Suppression.until) > now
        )
    )
    return list(found.all())


def _capped(row: Outbox) -> bool:
    """Is `row` held to the per-recipient cap? Loops are a mail affair (auto-replies answering
    auto-replies); chat channels (a triage channel gets a card per ticket) and agents'
    broadcasts (an outage notice to a distribution list) are not capped here."""
    return row.channel == Channel.EMAIL and bool(row.recipient) and row.audience != Audience.PUBLIC


async def _sent_since(
    session: AsyncSession, column: Mapped[Any], keys: set[K], since: datetime
) -> Counter[K]:
    query = (
        select(column, func.count(col(Outbox.id)))
        .where(
            column.in_(keys), col(Outbox.status) == OutboxStatus.SENT, col(Outbox.sent_at) >= since
        )
        .group_by(column)
    )
    return Counter({key: int(count) for key, count in (await session.exec(query)).all()})


async def suppress(
    session: AsyncSession, addresses: tuple[str, ...], *, until: datetime, reason: str
) -> None:
    """Stop mailing `addresses` until `until` (kept or extended, never shortened)."""
    for address in {a.lower() for a in addresses if "@" in a}:
        found = await session.get(Suppression, address)
        if found is None:
            session.add(Suppression(address=address, until=until, reason=reason[:200]))
        elif found.until < until:
            found.until = until
            found.reason = reason[:200]
