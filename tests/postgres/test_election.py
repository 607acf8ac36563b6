"""Leading a job through PostgreSQL advisory locks (`bot.store.election`, `bot.leading`): of two
workers, each with its own connection as two processes would have, one leads; when its
connection goes (the worker died: the server ends its session), the other takes over."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

from bot.leading import Elected, campaign, while_leading
from bot.store.election import Election, Leadership, PostgresElection, SoleElection, lock_key
from intake.folder import FolderSource
from intake.health import State
from intake.message import InboundMessage
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.servers.postgres import Postgres


def kill_holder(postgres: Postgres, url: str, job: str) -> None:
    """End, server side, the session holding `job`'s lock: what a worker's death does."""
    key = lock_key(job)
    killed = postgres.sql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' "
        f"AND granted AND database = (SELECT oid FROM pg_database WHERE datname = "
        f"'{url.rsplit('/', 1)[1]}') AND ((classid::bigint << 32) | objid::bigint) = "
        f"{key} AND objsubid = 1"
    )
    assert killed.strip() == "1"


class Counted:
    """An election that counts the times it was refused (so a test knows a worker stood)."""

    def __init__(self, inner: Election) -> None:
        self.inner = inner
        self.refused = 0

    async def try_lead(self, job: str) -> Leadership | None:
        held = await self.inner.try_lead(job)
        self.refused += held is None
        return held

    async def close(self) -> None:
        await self.inner.close()


async def test_one_of_two_leads_and_a_resignation_frees_the_job(
    postgres: Postgres, postgres_url: str
) -> None:
    first, second = PostgresElection(postgres_url), PostgresElection(postgres_url)
    try:
        held = await first.try_lead("watcher:sla")
        assert held is not None
        # The lock is held by a session of its own, named, with keepalives set for it (so the
        # server frees the lock soon after the leader's host goes silent).
        holder = postgres.sql(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            f"WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND "
            f"((l.classid::bigint << 32) | l.objid::bigint) = {lock_key('watcher:sla')}"
        )
        assert holder.strip() == "guichet-lead"
        assert await second.try_lead("watcher:sla") is None
        other = await second.try_lead("watcher:outages")  # another job, another lock
        assert other is not None
        await held.resign()
        await held.resign()  # idempotent
        taken = await second.try_lead("watcher:sla")
        assert taken is not None
        assert await first.try_lead("watcher:sla") is None
    finally:
        await first.close()
        await second.close()


async def test_a_dead_leaders_job_is_taken_over(postgres: Postgres, postgres_url: str) -> None:
    """The leader's session is ended on the server; the leader, standing back after it, lets
    the other worker (retrying often) take over."""
    elections = [Counted(PostgresElection(postgres_url, check_seconds=0.1)) for _ in range(2)]
    running: list[str] = []

    async def job(worker: str) -> None:
        running.append(worker)
        await asyncio.Event().wait()  # a watcher runs for ever

    first = asyncio.create_task(
        while_leading(elections[0], "watcher:sla", partial(job, "first"), retry_seconds=60)
    )
    tasks = [first]
    try:
        await eventually(lambda: running)
        second = asyncio.create_task(
            while_leading(elections[1], "watcher:sla", partial(job, "second"), retry_seconds=0.1)
        )
        tasks.append(second)
        await eventually(lambda: elections[1].refused > 0)
        assert running == ["first"]
        kill_holder(postgres, postgres_url, "watcher:sla")
        await eventually(lambda: running == ["first", "second"])
        assert not first.done()  # standing by, not crashed
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for election in elections:
            await election.close()


async def test_one_worker_reads_a_mailbox_until_its_connection_goes(
    postgres: Postgres, postgres_url: str, tmp_path: Path
) -> None:
    """Two workers' readers of one mailbox (here each a folder, so who read what shows): only
    the leader's reads; once its session is killed, it stops reading and the other reads."""
    elections = [Counted(PostgresElection(postgres_url, check_seconds=0.1)) for _ in range(2)]
    readers = [
        Elected(
            "imap:support",
            partial(FolderSource, tmp_path / f"worker{i}", poll_seconds=0.05),
            election,
            retry_seconds=retry,
        )
        for i, (election, retry) in enumerate(zip(elections, (60, 0.1), strict=True))
    ]
    for i in range(2):
        drop(tmp_path / f"worker{i}", "a.eml", make_email(message_id=f"<w{i}@msss.example>"))
    got: list[list[InboundMessage]] = [[], []]

    async def read(i: int) -> None:
        async with readers[i]:
            async for message in readers[i]:
                got[i].append(message)
                await readers[i].confirm(message)

    tasks = [asyncio.create_task(read(0))]
    try:
        await eventually(lambda: got[0])
        tasks.append(asyncio.create_task(read(1)))
        await eventually(lambda: elections[1].refused > 0)
        assert got[1] == []
        assert readers[1].health().state == State.STANDBY
        kill_holder(postgres, postgres_url, "mailbox:imap:support")
        await eventually(lambda: readers[0].health().state == State.STANDBY)
        await eventually(lambda: got[1])
        assert len(got[0]) == 1
        assert readers[1].health().state == State.RUNNING
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for election in elections:
            await election.close()


async def test_the_sole_process_always_leads() -> None:
    election: Election = SoleElection()
    first = await campaign(election, "watcher:sla")
    second = await campaign(election, "watcher:sla")
    await first.resign()
    await second.resign()
    await election.close()


async def test_a_worker_holds_all_its_leads_on_one_connection(
    postgres: Postgres, postgres_url: str
) -> None:
    """Standing by costs a statement, not a connection; the leads of a worker live and die
    with its one lead connection; a resignation lets one job go, not the others."""
    first = PostgresElection(postgres_url, check_seconds=0.1)
    second = PostgresElection(postgres_url, check_seconds=0.1)
    database = postgres_url.rsplit("/", 1)[1]
    try:
        sla = await first.try_lead("watcher:sla")
        outages = await first.try_lead("watcher:outages")
        assert sla is not None and outages is not None
        assert await first.try_lead("watcher:sla") is None  # not twice in one worker either
        for _ in range(5):
            assert await second.try_lead("watcher:sla") is None
        sessions = postgres.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'guichet-lead' "
            f"AND datname = '{database}'"
        )
        assert sessions.strip() == "2"
        await outages.resign()
        assert await second.try_lead("watcher:outages") is not None
        assert await second.try_lead("watcher:sla") is None  # still the first's
        kill_holder(postgres, postgres_url, "watcher:sla")
        await asyncio.wait_for(sla.lost(), 30)
        assert await second.try_lead("watcher:sla") is not None
    finally:
        await first.close()
        await second.close()
