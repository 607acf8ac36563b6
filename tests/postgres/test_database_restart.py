"""Two real `python -m bot serve` workers on one PostgreSQL database, a storm of mail split
between their inboxes, and PostgreSQL itself stopped mid-storm (`pg_ctl stop -m immediate`: every
session cut, as in a crash or a failover) for a few seconds, then started again on the same
port: both workers ride it out, reconnect and finish. Every message is stored once and ticketed
once, every acknowledgement reaches the real SMTP server, both workers are ready again, and what
they logged tells the operator what happened without a traceback for each retry.

A notification a worker had handed to the SMTP server when the database went away cannot be
marked sent: it goes again after its lease, with the same Message-ID (see test_workers_crash).
Here both workers were cut off, so either may repeat, at most one per lane it was delivering on.

The test has its own cluster: stopping the session's would pull the database from under every
other test.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.outbox import OutboxWorker, RetryPolicy
from bot.outbox_queue import queue
from bot.store.db import create_engine, migrate, sessions
from bot.store.models import Message, MessageState, Outbox, OutboxStatus
from bot.store.unavailable import cause
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage
from tests.conftest import eventually
from tests.servers.postgres import Postgres, required_bin
from tests.servers.worker import KillPair, Worker, counts, drop_storm, kill_pair, storm_mails

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

STORM = 240
STOP_AFTER = 80
"""Inbound messages stored when PostgreSQL is stopped (mid-storm: mail keeps coming)."""
DOWN_SECONDS = 6.5
"""Longer than the dispatcher's idle pass (5 s): a dispatcher that had caught up with the storm
when the database went (nothing new can be stored to wake it) still meets the outage."""
RESTART_AT = 160
"""Mail dropped before PostgreSQL is started again; the rest comes after."""
PEOPLE = 24
"""Senders: each has several acknowledgements waiting in a storm, delivered in order on their
lane, so an outage can cut a lane with rows still to go (none of which may go out unmarked)."""
LEASES = {
    # Rows in flight at the outage come back after their lease: short, to keep the test short,
    # still far longer than a delivery or a batch takes here.
    "GUICHET_OUTBOX_LEASE_SECONDS": "8",
    "GUICHET_DISPATCH_LEASE_SECONDS": "8",
}


@pytest.fixture
def cluster() -> Iterator[Postgres]:
    """A PostgreSQL cluster of this test's own, with one migrated database (`guichet`)."""
    binaries = required_bin()
    root = Path(tempfile.mkdtemp(prefix="guichet-pg-restart-"))  # the `postgres` user gets in
    server = Postgres.start(root, binaries, durable=True)  # an acknowledged commit survives
    try:
        server.sql('CREATE DATABASE "guichet"')
        migrate(server.url("guichet"))
        yield server
    finally:
        with contextlib.suppress(RuntimeError):  # stopped already (failed while it was down)
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


async def test_postgres_restarted_mid_storm_the_workers_reconnect_and_finish(
    tmp_path: Path, cluster: Postgres
) -> None:
    async with kill_pair(tmp_path, cluster.url("guichet"), **LEASES) as pair:
        workers = (pair.survivor, pair.killed)  # neither is killed here: both lose the store
        for worker in workers:
            await worker.start()
        for worker in workers:
            await worker.until_ready()

        mails = storm_mails(STORM, people=PEOPLE)
        inboxes = tuple(worker.inbox for worker in workers)

        async def storm(first: int, last: int) -> None:
            await drop_storm(mails, inboxes, first, last, pause=0.01)

        # Mail arrives before the outage, during it (the rest of the first part) and after.
        loop = asyncio.get_running_loop()
        first = asyncio.create_task(storm(0, RESTART_AT))
        await eventually(lambda: pair.stored_at_least(STOP_AFTER), timeout=60)
        assert not first.done(), "the first part of the storm ended before the outage"
        await asyncio.to_thread(cluster.stop, "immediate")
        stopped = loop.time()
        await first
        await asyncio.sleep(max(0.0, stopped + DOWN_SECONDS - loop.time()))
        await asyncio.to_thread(cluster.start_again)
        await storm(RESTART_AT, STORM)

        try:
            await eventually(lambda: pair.settled(STORM), timeout=90)
        except AssertionError:
            raise AssertionError(await _stuck(pair)) from None
        for worker in workers:
            assert worker.running, worker.tail()  # the outage killed neither
            await worker.until_ready(timeout=30)  # /readyz: the store takes writes again

        sent = await pair.assert_storm_done(STORM)
        pair.assert_only_in_flight_repeated(sent, interrupted=("survivor", "killed"))

        # A loop that met the outage late (a listener checks its connection every few seconds)
        # may still be waiting to retry when the storm is done: it says it is back, in time.
        for worker in workers:
            await eventually(lambda worker=worker: not _still_down(worker), timeout=30)
        stopped_with = await asyncio.gather(*(worker.stop() for worker in workers))
        for worker, status in zip(workers, stopped_with, strict=True):
            assert status == 0, worker.tail()
            _assert_told_the_operator(worker)


async def test_a_database_gone_or_cut_is_an_operational_error_and_the_engine_comes_back(
    cluster: Postgres,
) -> None:
    """What every loop waits out: asyncpg says a refused connection with the socket's own
    error and a cut one with a plain DBAPIError; the engine says both as OperationalError."""
    engine = create_engine(cluster.url("guichet"))
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            cluster.sql(f"SELECT pg_terminate_backend({pid})")  # an administrator, a failover
            with pytest.raises(OperationalError) as cut:
                await connection.execute(text("SELECT 1"))
        assert cut.value.connection_invalidated
        await asyncio.to_thread(cluster.stop)
        with pytest.raises(OperationalError) as refused:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert cause(refused.value).startswith("ConnectionRefusedError: ")
        await asyncio.to_thread(cluster.start_again)
        async with engine.connect() as connection:  # the pool's dead connections are gone
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()


def now() -> datetime:
    return datetime.now(UTC)


class CutsTheStore:
    """A sender that takes every message and, after the first, stops the database: the outage
    falls between a delivery and its mark."""

    def __init__(self, cluster: Postgres) -> None:
        self.cluster = cluster
        self.sent: list[str] = []

    async def send(self, message: OutboundMessage) -> bytes:
        self.sent.append(message.message_id)
        if len(self.sent) == 1:
            await asyncio.to_thread(self.cluster.stop)
        return b"sent"


async def test_a_lane_cut_off_from_the_store_stops_and_its_rows_come_back_after_the_lease(
    cluster: Postgres,
) -> None:
    """One requester's notifications go in order on one lane. The first is delivered and
    cannot be marked sent: the lane stops there, rather than deliver the others unmarked (each
    would go twice); after the lease the first goes again (the one repeat the outbox allows)
    and the others once."""
    engine = create_engine(cluster.url("guichet"))
    store = sessions(engine)
    sender = CutsTheStore(cluster)
    outbox = OutboxWorker(
        store,
        {Channel.EMAIL: sender},
        policy=RetryPolicy(0.1, 0.2, max_attempts=3),
        now=now,
        lease=timedelta(seconds=1),
    )
    try:
        async with store() as session:
            for n in range(3):
                message = OutboundMessage(
                    Channel.EMAIL, ("pat@saaq.example",), "Sujet", "Corps", f"n{n}@guichet.example"
                )
                session.add(
                    queue(message, kind=NoticeKind.ACK, key=f"ack:{n}", ticket_id=None, now=now())
                )
            await session.commit()
        await outbox.deliver_due()
        assert sender.sent == ["n0@guichet.example"]

        await asyncio.to_thread(cluster.start_again)
        await asyncio.sleep(1.2)  # the lease
        await outbox.deliver_due()
        assert sender.sent == [f"n{n}@guichet.example" for n in (0, 0, 1, 2)]
        async with store() as session:
            statuses = (await session.exec(select(Outbox.status))).all()
        assert statuses == [OutboxStatus.SENT] * 3
    finally:
        await engine.dispose()


def _assert_told_the_operator(worker: Worker) -> None:
    """The outage is in the log once for each loop that met it: a warning that says what failed,
    what to check and that it retries, then a line when the database is back; no traceback and
    no error for what is only waited out."""
    lines = worker.log().splitlines()
    assert not [line for line in lines if "Traceback" in line], worker.tail(8000)
    assert not [line for line in lines if " ERROR " in line], worker.tail(8000)
    down = _down(lines)
    assert {"intake from folder:inbox", "dispatching"} <= down.keys(), worker.tail(8000)
    assert all(n == 1 for n in down.values()), down  # once per loop, not once per retry
    told = [line for line in lines if "the database is unavailable" in line]
    assert all("GUICHET_DATABASE_URL" in line and "retrying" in line for line in told), told
    assert not _still_down(worker), (_back(lines), down)


def _down(lines: list[str]) -> Counter[str]:
    """How many times each loop said the database is unavailable."""
    return Counter(
        found.group(1)
        for line in lines
        if (found := re.search(r" WARNING [\w.]+: (.+?): the database is unavailable", line))
    )


def _back(lines: list[str]) -> set[str]:
    """The loops that said the database is back."""
    return {
        found.group(1)
        for line in lines
        if (found := re.search(r" INFO [\w.]+: (.+?): the database is back after", line))
    }


def _still_down(worker: Worker) -> set[str]:
    """The loops that said the database is unavailable and not yet that it is back. A watcher's
    run ends when its lead is lost (`bot.leading`): "leader election" says when the database is
    back, and the next leader's watcher starts afresh."""
    lines = worker.log().splitlines()
    return {loop for loop in _down(lines).keys() - _back(lines) if "watcher" not in loop}


async def _stuck(pair: KillPair) -> str:
    """What the storm is still waiting for: the counts, the messages missing or not processed,
    the outbox rows not sent, what is left in the inboxes and the end of each worker's log."""
    inbound, _tickets = await pair.inbound()
    stored = {str(mid) for mid, _s, _t in inbound}
    missing = [i for i in range(STORM) if f"storm-{i}@msss.example" not in stored]
    async with pair.store() as session:
        pending = (
            await session.exec(
                select(Outbox.id, Outbox.recipient, Outbox.attempts, Outbox.next_attempt_at)
                .where(Outbox.status == OutboxStatus.PENDING)
                .limit(20)
            )
        ).all()
        waiting = (
            await session.exec(
                select(Message.id, Message.lease_owner, Message.lease_until)
                .where(Message.state == MessageState.RECEIVED)
                .limit(20)
            )
        ).all()
    workers = (pair.survivor, pair.killed)
    left = [len(list(w.inbox.glob("*.eml"))) for w in workers]
    logs = "\n".join(f"--- {w.root.name}:\n{w.tail(4000)}" for w in workers)
    return (
        f"not settled: {await counts(pair.store)}\nmissing: {missing}\nreceived: {waiting}\n"
        f"pending outbox: {pending}\nleft in the inboxes: {left}\n{logs}"
    )
