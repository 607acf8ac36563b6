"""Issue #14, item 3: a notification that cannot be delivered never stays silently pending.

A row whose message cannot be composed (a lone surrogate in its subject makes the MIME encoder
raise) used to stay pending with attempts=0 and no error, tried again after every lease for ever.
Every failure now counts an attempt and records its error; a permanent one is dead at once; the
rows behind it are still delivered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import serve
from bot.outbox import OutboxWorker, RetryPolicy, queue
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Outbox, OutboxStatus
from intake.mail.send import SmtpConfig, SmtpSender
from intake.message import Channel, OutboundMessage
from tests.conftest import eventually
from tests.servers.smtp import SmtpServer

POISON = "Accusé de réception \ud800 [CSC-000001]"
"""A lone surrogate: no codec can encode it, so composing the mail raises."""


def now() -> datetime:
    return datetime.now(UTC)


async def enqueue(store: Sessions, key: str, subject: str, to: str = "pat@saaq.example") -> int:
    message = OutboundMessage(
        Channel.EMAIL, (to,), subject, "Corps du message", f"{key}.1@guichet.example"
    )
    async with store() as session:
        row = queue(message, key=key, ticket_id=None, now=now())
        session.add(row)
        await session.commit()
        assert row.id is not None
        return row.id


async def get(store: Sessions, row_id: int) -> Outbox:
    async with store() as session:
        return await session.get_one(Outbox, row_id)


def assert_dead_with_error(row: Outbox) -> None:
    assert row.status == OutboxStatus.DEAD, (row.status, row.attempts, row.last_error)
    assert row.attempts >= 1
    assert row.last_error and "Corps du message" not in row.last_error
    assert len(row.last_error) <= 500
    assert row.sent_at is None


async def test_uncomposable_row_is_dead_and_the_lane_goes_on(
    store: Sessions, smtp_server: SmtpServer
) -> None:
    sender = SmtpSender(
        SmtpConfig(host=smtp_server.host, port=smtp_server.port, timeout=10),
        sender="csc@itq.example",
        sender_name="CSC",
    )
    outbox = OutboxWorker(
        store, {Channel.EMAIL: sender}, policy=RetryPolicy(0.1, 0.2, max_attempts=5), now=now
    )
    poison = await enqueue(store, "ack:poison", POISON)
    after = await enqueue(store, "ack:after", "Sujet correct")  # same lane, behind it
    other = await enqueue(store, "ack:other", "Autre", to="lea@msss.example")
    assert await outbox.deliver_due() == 3
    assert_dead_with_error(await get(store, poison))
    assert (await get(store, after)).status == OutboxStatus.SENT
    assert (await get(store, other)).status == OutboxStatus.SENT
    subjects = sorted(str(m["Subject"]) for m in smtp_server.handler.messages())
    assert subjects == ["Autre", "Sujet correct"]


@pytest.fixture
async def service(migrated: Settings) -> AsyncIterator[str]:
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(migrated, on_ready=ready.append, stop=stop))
    await eventually(lambda: ready or task.done())
    if task.done():
        task.result()
    yield ready[0].split()[4]
    stop.set()
    await asyncio.wait_for(task, 20)


def outbox_files(settings: Settings) -> list[Path]:
    return sorted(settings.outbox.glob("*.eml"))


async def test_running_service_gives_up_an_uncomposable_row_in_the_file_outbox(
    service: str, migrated: Settings, store: Sessions
) -> None:
    poison = await enqueue(store, "ack:poison", POISON)
    after = await enqueue(store, "ack:after", "Sujet correct")

    async def settled() -> bool:
        rows = [await get(store, poison), await get(store, after)]
        return all(r.status != OutboxStatus.PENDING or r.attempts > 0 for r in rows) and (
            rows[1].status == OutboxStatus.SENT
        )

    await eventually(settled)
    assert_dead_with_error(await get(store, poison))
    [written] = outbox_files(migrated)
    assert b"Sujet correct" in written.read_bytes()
