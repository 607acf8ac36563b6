"""The worker reading a shared IMAP mailbox (a real Dovecot) is killed with SIGKILL mid-storm:
its session ends with it, its advisory lock too, and the other worker takes the mailbox over
within seconds; restarted, the killed worker stands by. Every message is stored once, ticketed
once and acknowledged (the killed worker's unmarked sends aside, see test_workers_crash)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.store.models import MessageState
from tests.conftest import eventually
from tests.imap.conftest import dovecot  # noqa: F401
from tests.imap.test_imap_intake import append, folder_counts, numbered
from tests.servers.dovecot import Dovecot
from tests.servers.worker import Worker, kill_pair

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
    mailbox = {
        "GUICHET_IMAP_HOST": dovecot.host,
        "GUICHET_IMAP_PORT": str(dovecot.imap_port),
        "GUICHET_IMAP_USERNAME": dovecot.user,
        "GUICHET_IMAP_PASSWORD": dovecot.password,
        "GUICHET_IMAP_SECURITY": "none",
    }
    make = numbered(STORM)
    async with kill_pair(tmp_path, postgres_url, **mailbox) as pair:
        survivor, killed = pair.survivor, pair.killed
        await killed.start()
        await eventually(lambda: _is(killed, "running"), timeout=180)
        await survivor.start()
        await survivor.until_ready()
        assert await mailbox_state(survivor) == "standby"

        async def storm() -> None:
            for i in range(STORM):
                await asyncio.to_thread(append, dovecot, make(i))
                await asyncio.sleep(0.01)

        rest = asyncio.create_task(storm())
        await eventually(lambda: pair.stored_at_least(KILL_AFTER), timeout=180)
        assert await killed.kill() == -signal.SIGKILL
        await eventually(lambda: _is(survivor, "running"), timeout=30)
        await rest
        await killed.start()
        await killed.until_ready()
        assert await mailbox_state(killed) == "standby"

        await eventually(lambda: pair.settled(STORM), timeout=400)
        assert await survivor.stop() == 0, survivor.tail()
        assert await killed.stop() == 0, killed.tail()

        inbound, tickets = await pair.inbound()
        assert len(inbound) == STORM
        assert {state for _m, state, _t in inbound} == {MessageState.PROCESSED}
        assert len({ticket for _m, _s, ticket in inbound} - {None}) == STORM == tickets
        assert folder_counts(dovecot)["INBOX"] == 0

        sent = pair.acknowledgements()
        every = sent["survivor"] + sent["killed"]
        assert len(every) == STORM  # one acknowledgement per message, each delivered
        pair.assert_only_in_flight_repeated(sent)


async def _is(worker: Worker, state: str) -> bool:
    return await mailbox_state(worker) == state
