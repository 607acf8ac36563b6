"""The worker reading a shared IMAP mailbox (a real Dovecot) is killed with SIGKILL mid-storm:
its session ends with it, its advisory lock too, and the other worker takes the mailbox over
within seconds; restarted, the killed worker stands by. Every message is stored once, ticketed
once and acknowledged (the killed worker's unmarked sends aside, see test_workers_crash)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select

from bot.outbox import _MAX_LANES
from bot.store.db import create_engine, sessions
from bot.store.models import Direction, Message, MessageState, Ticket
from tests.conftest import eventually
from tests.imap.conftest import dovecot  # noqa: F401
from tests.imap.test_imap_intake import append, folder_counts, numbered
from tests.postgres.test_workers_crash import Worker, counts
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import run_smtp_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

STORM = 200
KILL_AFTER = 60


async def mailbox_state(worker: Worker) -> str:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{worker.port}/healthz") as response,
        ):
            found: dict[str, Any] = (await response.json())["connectors"].get("imap:default", {})
    except aiohttp.ClientError:
        return ""
    return str(found.get("state", ""))


async def test_the_mailbox_reader_killed_mid_storm_is_replaced_at_once(
    tmp_path: Path,
    postgres_url: str,
    dovecot: Dovecot,  # noqa: F811
) -> None:
    servers = contextlib.ExitStack()
    smtp = {
        name: servers.enter_context(contextlib.contextmanager(run_smtp_server)())
        for name in ("survivor", "killed")
    }
    mailbox = {
        "GUICHET_IMAP_HOST": dovecot.host,
        "GUICHET_IMAP_PORT": str(dovecot.imap_port),
        "GUICHET_IMAP_USERNAME": dovecot.user,
        "GUICHET_IMAP_PASSWORD": dovecot.password,
        "GUICHET_IMAP_SECURITY": "none",
    }
    killed = Worker(tmp_path / "killed", postgres_url, smtp["killed"], **mailbox)
    survivor = Worker(tmp_path / "survivor", postgres_url, smtp["survivor"], **mailbox)
    engine = create_engine(postgres_url)
    store = sessions(engine)
    make = numbered(STORM)
    try:
        await killed.start()
        await eventually(lambda: _is(killed, "running"), timeout=180)
        await survivor.start()
        await eventually(survivor.ready, timeout=180)
        assert await mailbox_state(survivor) == "standby"

        async def storm() -> None:
            for i in range(STORM):
                await asyncio.to_thread(append, dovecot, make(i))
                await asyncio.sleep(0.01)

        rest = asyncio.create_task(storm())
        await eventually(lambda: _stored_at_least(store, KILL_AFTER), timeout=180)
        await killed.kill()
        await eventually(lambda: _is(survivor, "running"), timeout=30)
        await rest
        await killed.start()
        await eventually(killed.ready, timeout=180)
        assert await mailbox_state(killed) == "standby"

        async def settled() -> bool:
            stored, waiting, unsent = await counts(store)
            return stored == STORM and waiting == 0 and unsent == 0

        await eventually(settled, timeout=400)
        await survivor.stop()
        await killed.stop()

        async with store() as session:
            inbound = (
                await session.exec(
                    select(Message.message_id, Message.state, Message.ticket_id).where(
                        Message.direction == Direction.IN
                    )
                )
            ).all()
            tickets = (await session.exec(select(func.count()).select_from(Ticket))).one()
        assert len(inbound) == STORM
        assert {state for _m, state, _t in inbound} == {MessageState.PROCESSED}
        assert len({ticket for _m, _s, ticket in inbound} - {None}) == STORM == tickets
        assert folder_counts(dovecot)["INBOX"] == 0

        sent = {
            name: Counter(str(m["Message-ID"]) for m in server.handler.messages())
            for name, server in smtp.items()
        }
        every = sent["survivor"] + sent["killed"]
        assert len(every) == STORM  # one acknowledgement per message, each delivered
        assert all(n == 1 for n in sent["survivor"].values())
        repeated = {mid: n for mid, n in every.items() if n > 1}
        assert all(n == 2 for n in repeated.values()), repeated
        assert len(repeated) <= _MAX_LANES, repeated
    finally:
        for worker in (survivor, killed):
            if worker.process is not None and worker.process.returncode is None:
                worker.process.kill()
                await worker.process.wait()
        await engine.dispose()
        servers.close()


async def _is(worker: Worker, state: str) -> bool:
    return await mailbox_state(worker) == state


async def _stored_at_least(store: Any, count: int) -> bool:
    stored, _waiting, _unsent = await counts(store)
    return stored >= count
