"""Leases on received messages (`bot.store.claims`) with two claimers on one PostgreSQL
database, each with its own engine as two worker processes would have. "Now" is passed in, so
an expired lease is a lease claimed at an earlier instant, not a wait."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bot.store.claims import claim_received, release, release_all
from bot.store.db import Sessions, create_engine, sessions
from bot.store.models import Direction, Message, MessageState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


async def receive(store: Sessions, count: int, *, state: str = MessageState.RECEIVED) -> list[int]:
    """`count` stored messages (inbound, in `state`); their ids."""
    rows = []
    for _ in range(count):
        raw = f"Subject: n{id(rows)}-{len(rows)}-{state}\r\n\r\nbody".encode()
        rows.append(
            {
                "direction": Direction.IN,
                "channel": "email",
                "state": state,
                "sha256": hashlib.sha256(raw).hexdigest(),
                "raw": raw,
                "received_at": T0,
            }
        )
    async with store() as session:
        connection = await session.connection()
        ids = (await connection.execute(insert(Message).returning(Message.id), rows)).scalars()
        found = sorted(ids)
        await session.commit()
    return found


async def test_two_claimers_at_once_never_get_the_same_message(
    store: Sessions, postgres_url: str
) -> None:
    expected = await receive(store, 300)
    await receive(store, 5, state=MessageState.PROCESSED)  # never claimed
    other_engine = create_engine(postgres_url)
    claimers = [(store, "worker-a"), (sessions(other_engine), "worker-b")]
    got: dict[str, list[int]] = {"worker-a": [], "worker-b": []}
    try:
        while True:  # both claim at once, round after round, until nothing is left
            rounds = await asyncio.gather(
                *(
                    claim_received(made, limit=7, owner=owner, now=T0, lease=LEASE)
                    for made, owner in claimers
                )
            )
            if not any(rounds):
                break
            for (_made, owner), rows in zip(claimers, rounds, strict=True):
                ids = [row[0] for row in rows]
                assert ids == sorted(ids)
                assert all(raw.startswith(b"Subject: ") for _i, _c, raw in rows)
                got[owner].extend(ids)
    finally:
        await other_engine.dispose()
    assert set(got["worker-a"]).isdisjoint(got["worker-b"])
    assert sorted(got["worker-a"] + got["worker-b"]) == expected


async def test_an_expired_lease_is_taken_over_and_a_live_one_is_not(store: Sessions) -> None:
    ids = await receive(store, 4)
    held = await claim_received(store, limit=10, owner="dead", now=T0, lease=LEASE)
    assert [row[0] for row in held] == ids
    during = T0 + LEASE - timedelta(seconds=1)
    assert await claim_received(store, limit=10, owner="live", now=during, lease=LEASE) == []
    after = T0 + LEASE
    taken = await claim_received(store, limit=10, owner="live", now=after, lease=LEASE)
    assert [row[0] for row in taken] == ids
    # The dead worker's lease is gone: its release hands back nothing.
    assert await release(store, ids, "dead") == 0
    assert await claim_received(store, limit=10, owner="other", now=after, lease=LEASE) == []


async def test_a_released_message_is_free_at_once_for_another_worker(store: Sessions) -> None:
    ids = await receive(store, 3)
    held = await claim_received(store, limit=2, owner="stopping", now=T0, lease=LEASE)
    assert [row[0] for row in held] == ids[:2]
    assert await release(store, ids[:2], "somebody-else") == 0
    assert await release(store, ids[:2], "stopping") == 2
    taken = await claim_received(store, limit=10, owner="next", now=T0, lease=LEASE)
    assert [row[0] for row in taken] == ids


async def test_a_sole_process_frees_every_lease_at_start_up(store: Sessions) -> None:
    ids = await receive(store, 3)
    await claim_received(store, limit=2, owner="died", now=T0, lease=LEASE)
    assert await release_all(store) == 2
    taken = await claim_received(store, limit=10, owner="restarted", now=T0, lease=LEASE)
    assert [row[0] for row in taken] == ids
