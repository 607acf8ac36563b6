"""Two real `python -m bot serve` workers on one PostgreSQL database, a storm of mail split
between their inboxes, one of them killed with SIGKILL mid-storm and started again: every
message is stored once and ticketed once, and every acknowledgement reaches the real SMTP
server.

A notification the killed worker had handed to the SMTP server but not yet marked sent is sent
again after its lease (the outbox is at-least-once: SMTP has no way to take a message
idempotently). Such a repeat carries the same Message-ID, so mail clients show one message; the
test allows them only for rows in flight in the killed worker (at most one per lane it was
delivering), and none at all from the worker that was never killed.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.conftest import eventually
from tests.servers.worker import drop_storm, kill_pair, storm_mails

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

STORM = 500
KILL_AFTER = 150
"""Inbound messages stored when the first worker is killed (mid-storm: it keeps coming)."""


async def test_a_worker_killed_mid_storm_loses_and_doubles_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    async with kill_pair(tmp_path, postgres_url) as pair:
        survivor, killed = pair.survivor, pair.killed
        await survivor.start()
        await killed.start()
        await survivor.until_ready()
        await killed.until_ready()

        mails = storm_mails(STORM)
        inboxes = (killed.inbox, survivor.inbox)
        rest = asyncio.create_task(drop_storm(mails, inboxes, 0, STORM, pause=0.005))
        await eventually(lambda: pair.stored_at_least(KILL_AFTER), timeout=180)
        assert await killed.kill() == -signal.SIGKILL
        await rest
        await killed.start()  # its inbox still holds what it had not committed
        await killed.until_ready()

        # The killed worker's leases run out (the outbox's is 20 s here) before its rows move on.
        await eventually(lambda: pair.settled(STORM), timeout=400)
        assert await survivor.stop() == 0, survivor.tail()
        assert await killed.stop() == 0, killed.tail()

        sent = await pair.assert_storm_done(STORM)
        pair.assert_only_in_flight_repeated(sent)
