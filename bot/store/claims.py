"""Leases on received messages, so that several workers sharing one PostgreSQL database never
parse and triage the same message twice.

A worker leases a batch (`claim_received`) before it reads it, and hands back what it did not
process when it stops (`release`). A worker that dies keeps its lease until `lease_until`;
then any worker takes the messages over. On PostgreSQL the claim locks the rows it reads
(`FOR UPDATE SKIP LOCKED`): two claims at once take disjoint rows without waiting on each
other. SQLite (one process, one writer) has no row locks and needs none; on both, the lease is
written only where the row is still received and free, and only the rows it was written to
are returned (`RETURNING`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select, update

from bot.store.db import Sessions
from bot.store.models import Direction, Message, MessageState

LEASE = timedelta(seconds=60)
"""A suggested lease: far longer than a batch takes to parse, triage and write (seconds), short
enough that the messages of a worker that died are taken over within the minute. A lease that
runs out mid-batch costs work, not correctness: the batch's writer locks its messages and
leaves those no longer received."""


def _free(now: datetime) -> ColumnElement[bool]:
    """Not leased, or leased by a lease that has run out."""
    return or_(col(Message.lease_until).is_(None), col(Message.lease_until) <= now)


async def claim_received(
    sessions: Sessions, *, limit: int, owner: str, now: datetime, lease: timedelta
) -> list[tuple[int, str, bytes]]:
    """Lease up to `limit` received inbound messages that no live lease holds, to `owner`
    until `now + lease`, in one transaction; their (id, channel, raw), in id order."""
    if limit <= 0:
        return []
    async with sessions() as session:
        ids = (
            await session.exec(
                select(Message.id)
                .where(
                    col(Message.direction) == Direction.IN,
                    col(Message.state) == MessageState.RECEIVED,
                    _free(now),
                )
                .order_by(col(Message.id))
                .limit(limit)
                .with_for_update(skip_locked=True)  # left out on SQLite
            )
        ).all()
        if not ids:
            return []
        leased = (
            await session.exec(
                update(Message)
                .where(
                    col(Message.id).in_(ids),
                    col(Message.state) == MessageState.RECEIVED,
                    _free(now),
                )
                .values(lease_owner=owner, lease_until=now + lease)
                .returning(col(Message.id), col(Message.channel), col(Message.raw))
                .execution_options(synchronize_session=False)
            )
        ).all()
        await session.commit()
    return sorted((row_id, channel, raw) for row_id, channel, raw in leased)


async def release(sessions: Sessions, ids: Collection[int], owner: str) -> int:
    """Hand back the messages of `ids` that `owner` still leases (a worker stopping with a
    batch it has not processed): free for any worker at once. How many were handed back."""
    if not ids:
        return 0
    return await _clear_leases(
        sessions, col(Message.id).in_(sorted(ids)), col(Message.lease_owner) == owner
    )


async def release_all(sessions: Sessions) -> int:
    """Hand back every lease on received messages, whoever holds it: for a process that knows
    it is the only one (SQLite, at start-up), where any lease is that of a run that died, and
    waiting it out would only delay the messages. Never on a store other workers share."""
    return await _clear_leases(
        sessions,
        col(Message.state) == MessageState.RECEIVED,
        col(Message.lease_owner).is_not(None),
    )


async def _clear_leases(sessions: Sessions, *where: ColumnElement[bool]) -> int:
    """Clear the leases of the messages `where` says, in one statement; how many."""
    async with sessions() as session:
        freed = (
            await session.exec(
                update(Message)
                .where(*where)
                .values(lease_owner=None, lease_until=None)
                .returning(col(Message.id))
                .execution_options(synchronize_session=False)
            )
        ).all()
        await session.commit()
    return len(freed)
