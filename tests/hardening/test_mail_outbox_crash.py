"""Issue #14 item 8: kill -9 after the file outbox wrote an acknowledgement, before the row was
marked sent; after the lease the row is sent again, and that must replace the first file, not
add a second acknowledgement. The file is named after the message (its Message-ID, fixed when the
row is queued, and its recipients), not after the time of sending.

A real `python -m bot serve` killed at the documented GUICHET_TEST_CRASH_AT=after-send point
(bot/faults.py), as in tests/test_crash.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime

import pytest
from sqlmodel import select, update

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Outbox, OutboxStatus, Ticket
from tests.conftest import eventually
from tests.mail import drop, make_email

pytestmark = pytest.mark.slow


async def start(settings: Settings, crash_at: str | None) -> asyncio.subprocess.Process:
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
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def rows(store: Sessions) -> list[Outbox]:
    async with store() as session:
        return list((await session.exec(select(Outbox))).all())


async def test_resend_after_kill_replaces_the_acknowledgement_file(
    migrated: Settings, store: Sessions
) -> None:
    process = await start(migrated, "after-send")
    drop(migrated.inbox, "crash.eml", make_email())
    code = await asyncio.wait_for(process.wait(), 60)
    assert code == -signal.SIGKILL, (await process.stderr.read()).decode() if process.stderr else ""
    first = sorted(migrated.outbox.glob("*.eml"))
    assert len(first) == 1  # written, then killed before the row was marked sent
    [row] = await rows(store)
    assert row.status == OutboxStatus.PENDING

    # The 90 s lease runs out (set in the store rather than waited for).
    async with store() as session:
        await session.exec(update(Outbox).values(next_attempt_at=datetime.now(UTC)))
        await session.commit()
    process = await start(migrated, None)
    try:

        async def sent() -> bool:
            return [r.status for r in await rows(store)] == [OutboxStatus.SENT]

        await eventually(sent, timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0

    async with store() as session:
        assert len((await session.exec(select(Ticket))).all()) == 1
    files = sorted(migrated.outbox.glob("*.eml"))
    assert [path.name for path in files] == [path.name for path in first]
    assert not [p for p in migrated.outbox.iterdir() if p.name.endswith(".tmp")]
