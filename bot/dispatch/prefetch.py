"""What a batch needs from the store before it is written, read with one statement per table
(not one per message): its messages' states, the tickets it names, the suppressed addresses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.guards import suppressions
from bot.store.models import Message, Ticket
from bot.tickets.reply_to import ReplyTo
from intake.message import Channel


async def message_states(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """The state of each of the batch's messages, locked on PostgreSQL: a second worker holding
    the same rows waits, then finds them no longer `received` and leaves them. No ORM object is
    made: what the batch writes back goes in with one statement (`bot.dispatch.outcomes`)."""
    found = await session.exec(
        select(col(Message.id), col(Message.state))
        .where(col(Message.id).in_(ids))
        .with_for_update()
    )
    return {message_id or 0: state for message_id, state in found.all()}


async def tickets_named(session: AsyncSession, numbers: set[str]) -> dict[str, Ticket]:
    if not numbers:
        return {}
    found = await session.exec(select(Ticket).where(col(Ticket.number).in_(numbers)))
    return {t.number or "": t for t in found.all()}


async def suppressed_among(
    session: AsyncSession, replies: Sequence[ReplyTo], now: datetime
) -> set[str]:
    """The addresses (lower-cased) among those email answers would go to that are suppressed (a
    hard bounce, a send cap). The outbox would refuse them anyway; withholding here says why,
    once, in the operator log."""
    addresses = [r.address for r in replies if r.channel == Channel.EMAIL]
    return {s.address for s in await suppressions(session, addresses, now)}
