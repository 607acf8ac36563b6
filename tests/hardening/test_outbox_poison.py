"""Issue #14, item 3: a notification that cannot be delivered never stays silently pending.

A row whose message could not be composed (a lone surrogate in its subject made the MIME encoder
raise; a malformed payload still does) stayed pending with attempts=0 and no error, tried again
after every lease for ever. Every failure now counts an attempt and records a bounded error; a
permanent one is dead at once; the rows behind it are still delivered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.outbox import OutboxWorker, RetryPolicy
from bot.outbox_queue import queue, to_payload
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Direction, Message, Outbox, OutboxStatus
from bot.tickets.outbox import NoticeKind
from intake.mail.send import SmtpConfig, SmtpSender
from intake.message import Channel, OutboundMessage
from tests.conftest import eventually, running_service
from tests.servers.smtp import SmtpServer

SURROGATE = "Accusé de réception \ud800 [CSC-000001]"
"""A lone surrogate: no codec encodes it (composition replaces it; the store must too)."""


def now() -> datetime:
    return datetime.now(UTC)


def message(key: str, subject: str, to: str) -> OutboundMessage:
    return OutboundMessage(
        Channel.EMAIL, (to,), subject, "Corps du message", f"{key}.1@guichet.example"
    )


async def enqueue(
    store: Sessions,
    key: str,
    subject: str,
    to: str = "pat@saaq.example",
    *,
    payload: dict[str, Any] | None = None,
) -> int:
    """A row as the dispatcher writes it, or with `payload` written as is (as a bug might)."""
    async with store() as session:
        row = queue(
            message(key, subject, to), kind=NoticeKind.ACK, key=key, ticket_id=None, now=now()
        )
        if payload is not None:
            row.payload = payload
        session.add(row)
        await session.commit()
        assert row.id is not None
        return row.id


async def poison(store: Sessions) -> dict[str, int]:
    """Three rows that used to stay pending for ever, then one good row, in one lane."""
    unreadable = to_payload(message("ack:unreadable", "Sujet", "pat@saaq.example"))
    del unreadable["text"]
    malformed = to_payload(message("ack:malformed", "Sujet", "pat@saaq.example"))
    malformed["headers"] = [["X-Guichet-Ticket"]]  # a header without its value
    return {
        "unreadable": await enqueue(store, "ack:unreadable", "Sujet", payload=unreadable),
        "malformed": await enqueue(store, "ack:malformed", "Sujet", payload=malformed),
        "surrogate": await enqueue(store, "ack:surrogate", SURROGATE),
        "after": await enqueue(store, "ack:after", "Sujet correct"),
    }


async def get(store: Sessions, row_id: int) -> Outbox:
    async with store() as session:
        return await session.get_one(Outbox, row_id)


def assert_dead_with_error(row: Outbox) -> None:
    assert row.status == OutboxStatus.DEAD, (row.status, row.attempts, row.last_error)
    assert row.attempts >= 1
    assert row.last_error and "Corps du message" not in row.last_error
    assert len(row.last_error) <= 500
    assert row.sent_at is None


async def assert_poison_settled(store: Sessions, rows: dict[str, int]) -> None:
    assert_dead_with_error(await get(store, rows["unreadable"]))
    assert_dead_with_error(await get(store, rows["malformed"]))
    for name in ("surrogate", "after"):
        sent = await get(store, rows[name])
        assert sent.status == OutboxStatus.SENT and sent.attempts == 1, (name, sent)
    async with store() as session:
        recorded = (
            await session.exec(select(Message.subject).where(Message.direction == Direction.OUT))
        ).all()
    for subject in ("Accusé de réception \ufffd [CSC-000001]", "Sujet correct"):
        assert recorded.count(subject) == 1, recorded


async def test_undeliverable_rows_are_dead_and_the_lane_goes_on(
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
    rows = await poison(store)
    other = await enqueue(store, "ack:other", "Autre", to="lea@msss.example")
    assert await outbox.deliver_due() == 5
    await assert_poison_settled(store, rows)
    assert (await get(store, other)).status == OutboxStatus.SENT
    assert len(smtp_server.handler.accepted) == 3  # surrogate, after, other: each once


@pytest.fixture
async def service(migrated: Settings) -> AsyncIterator[str]:
    async with running_service(migrated) as url:
        yield url


def outbox_files(settings: Settings) -> list[Path]:
    return sorted(settings.outbox.glob("*.eml"))


async def test_running_service_gives_up_undeliverable_rows_in_the_file_outbox(
    service: str, migrated: Settings, store: Sessions
) -> None:
    rows = await poison(store)

    async def settled() -> bool:
        found = [await get(store, r) for r in rows.values()]
        return all(r.status != OutboxStatus.PENDING for r in found)

    await eventually(settled)
    await assert_poison_settled(store, rows)
    assert len(outbox_files(migrated)) == 2


async def test_an_invalid_recipient_is_dead_at_once(
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
    bad = await enqueue(store, "ack:bad", "Sujet", to="pas une adresse")
    assert await outbox.deliver_due() == 1
    assert_dead_with_error(await get(store, bad))
    assert smtp_server.handler.accepted == []


class BrokenSender:
    """A sender with a bug: it raises something no one expected, quoting the whole message."""

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, message: OutboundMessage) -> bytes:
        self.calls += 1
        raise RuntimeError("unexpected state " + message.text * 10_000)


async def test_an_unexpected_error_is_counted_retried_then_given_up(store: Sessions) -> None:
    broken = BrokenSender()
    outbox = OutboxWorker(
        store, {Channel.EMAIL: broken}, policy=RetryPolicy(0.1, 0.2, max_attempts=3), now=now
    )
    row_id = await enqueue(store, "ack:bug", "Sujet")
    await outbox.deliver_due()
    first = await get(store, row_id)
    assert first.status == OutboxStatus.PENDING and first.attempts == 1
    assert first.last_error is not None and first.last_error.startswith("RuntimeError")
    assert len(first.last_error) <= 300

    async def dead() -> bool:
        await outbox.deliver_due()
        return (await get(store, row_id)).status == OutboxStatus.DEAD

    await eventually(dead)
    assert (await get(store, row_id)).attempts == 3 and broken.calls == 3
