"""Kill -9 at the worst instants, restart, and count: exactly one ticket, one acknowledgement.

The process is a real `python -m bot serve`; the instant is chosen with the documented test-only
switch GUICHET_TEST_CRASH_AT (see bot/faults.py), not by patching our code.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Outbox, Ticket
from tests.conftest import eventually
from tests.mail import drop, make_email

pytestmark = pytest.mark.slow


def env_for(settings: Settings, crash_at: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update(
        GUICHET_DATA_DIR=str(settings.data_dir),
        GUICHET_HTTP_PORT="0",
        GUICHET_INBOX_POLL_SECONDS="0.05",
        GUICHET_MAIL_FROM=settings.mail_from,
        GUICHET_MAIL_DOMAIN=settings.mail_domain,
    )
    if crash_at:
        env["GUICHET_TEST_CRASH_AT"] = crash_at
    return env


async def start(settings: Settings, crash_at: str | None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        env=env_for(settings, crash_at),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("point", ["after-raw-commit", "after-ticket-commit"])
async def test_killed_then_restarted_makes_one_ticket_one_ack(
    point: str, migrated: Settings, store: Sessions
) -> None:
    process = await start(migrated, point)
    drop(migrated.inbox, "crash.eml", make_email())
    code = await asyncio.wait_for(process.wait(), 60)
    assert code == -signal.SIGKILL, (await process.stderr.read()).decode() if process.stderr else ""

    process = await start(migrated, None)
    try:
        await eventually(lambda: list(migrated.outbox.glob("*.eml")), timeout=60)
        await eventually(lambda: (migrated.inbox / "done" / "crash.eml").exists(), timeout=30)
        await asyncio.sleep(1.0)  # room for a wrong second ticket or ack to appear
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0

    async with store() as session:
        assert len((await session.exec(select(Ticket))).all()) == 1
        assert len((await session.exec(select(Outbox))).all()) == 1
    assert len(list(migrated.outbox.glob("*.eml"))) == 1
    assert not Path(migrated.inbox / "crash.eml").exists()
