"""Merging a duplicate into the ticket to keep: one person wrote twice about one problem.

The duplicate's messages move to the kept ticket (its thread then holds everything, and a reply
to any of those messages threads there); the duplicate is closed, remembers where it went
(`Ticket.merged_into_id`: mail naming its number goes to the kept ticket) and both logs say
so. Only one person's duplicates merge: several people reporting one problem is an outage, and
a merge would show each of them the other's ticket. The caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import search
from bot.store.models import Message, Ticket
from bot.tickets.errors import TicketRuleError
from bot.tickets.labels import Status
from bot.tickets.log import EventType, move, record

MAX_HOPS = 8
"""How far `kept_number` follows merges of merges (a chain longer than this is cut there)."""


async def merge(
    session: AsyncSession, duplicate: Ticket, into: Ticket, actor: str, now: datetime
) -> int:
    """Merge `duplicate` into `into` as `actor`; how many messages moved. `TicketRuleError`
    when the rules refuse (itself, already merged, another person's ticket, a closed one)."""
    number, kept = duplicate.number or "", into.number or ""
    if duplicate.id == into.id:
        raise TicketRuleError("merge_self", number=number)
    for merged in (duplicate, into):
        if merged.merged_into_id is not None:
            raise TicketRuleError("merge_merged", number=merged.number or "")
    if duplicate.requester_id != into.requester_id:
        raise TicketRuleError("merge_other_requester", number=number, into=kept)
    if into.status == Status.CLOSED:
        raise TicketRuleError("merge_closed", into=kept)
    assert duplicate.id is not None and into.id is not None
    moved = (
        await session.exec(
            select(Message.id, Message.body, Message.direction).where(
                Message.ticket_id == duplicate.id
            )
        )
    ).all()
    await session.exec(
        update(Message).where(col(Message.ticket_id) == duplicate.id).values(ticket_id=into.id)
    )
    received = "\n".join(body for _, body, direction in moved if direction == "in")
    await search.add_text(session, into.id, "\n".join([duplicate.subject, received]))
    ids = [message_id for message_id, _, _ in moved]
    record(session, duplicate, now, EventType.MERGED_INTO, actor, into=kept, messages=ids)
    record(session, into, now, EventType.MERGED_FROM, actor, duplicate=number, messages=ids)
    move(session, duplicate, Status.CLOSED, actor, now)
    duplicate.merged_into_id = into.id
    session.add_all([duplicate, into])
    return len(ids)


async def kept_numbers(session: AsyncSession, numbers: set[str]) -> dict[str, str]:
    """For each of `numbers` that names a merged duplicate, the number of the ticket it lives
    on now (following merges of merges)."""
    out: dict[str, str] = {}
    current = {n: n for n in numbers}  # asked → where it points so far
    for _ in range(MAX_HOPS):
        if not current:
            break
        kept = (
            await session.exec(
                select(Ticket.number, Ticket.merged_into_id).where(
                    col(Ticket.number).in_(sorted(set(current.values()))),
                    col(Ticket.merged_into_id).is_not(None),
                )
            )
        ).all()
        targets = {n: t for n, t in kept if n is not None and t is not None}
        if not targets:
            break
        named = dict(
            (
                await session.exec(
                    select(Ticket.id, Ticket.number).where(
                        col(Ticket.id).in_(sorted(set(targets.values())))
                    )
                )
            ).all()
        )
        following: dict[str, str] = {}
        for asked, at in current.items():
            if at in targets and named.get(targets[at]):
                out[asked] = following[asked] = str(named[targets[at]])
        current = following
    return out
