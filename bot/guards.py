"""Last checks before a notification leaves: suppressed addresses and send caps.

Automated mail is filtered on the way in, but a loop can still slip through (two robots that do
not follow RFC 3834). The caps stop it from our side: past them, a notification is kept as dead,
with the reason, and the operator log says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Outbox, OutboxStatus, Suppression
from bot.tickets.outbox import Audience
from intake.message import Channel


@dataclass(frozen=True, slots=True)
class SendCaps:
    per_recipient_per_hour: int = 20
    per_ticket_per_day: int = 30
    bounce_suppression: timedelta = timedelta(days=30)


async def why_blocked(
    session: AsyncSession, row: Outbox, caps: SendCaps, now: datetime
) -> str | None:
    """The reason not to send `row` now, or None."""
    if row.channel == Channel.EMAIL and row.recipient:
        suppressed = await session.get(Suppression, row.recipient.lower())
        if suppressed is not None and suppressed.until > now:
            return f"address suppressed until {suppressed.until:%Y-%m-%d} ({suppressed.reason})"
    if row.channel == Channel.EMAIL and row.recipient and not _broadcast(row):
        # Loops are a mail affair (auto-replies answering auto-replies); chat channels (a
        # triage channel gets a card per ticket) and agents' broadcasts are not capped here.
        recent = await _sent_since(
            session, col(Outbox.recipient) == row.recipient, now - timedelta(hours=1)
        )
        if recent >= caps.per_recipient_per_hour:
            return f"send cap: {recent} notifications to this recipient in the last hour"
    if row.ticket_id is not None:
        recent = await _sent_since(
            session, col(Outbox.ticket_id) == row.ticket_id, now - timedelta(days=1)
        )
        if recent >= caps.per_ticket_per_day:
            return f"send cap: {recent} notifications for this ticket in the last day"
    return None


def _broadcast(row: Outbox) -> bool:
    """An outage notice to a distribution list: sent because an agent said so."""
    return bool(row.audience == Audience.PUBLIC)


async def _sent_since(session: AsyncSession, clause: ColumnElement[bool], since: datetime) -> int:
    query = select(func.count(col(Outbox.id))).where(
        clause, col(Outbox.status) == OutboxStatus.SENT, col(Outbox.sent_at) >= since
    )
    return int((await session.exec(query)).one())


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
