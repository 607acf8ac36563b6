"""The outbox worker against a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiosmtpd.controller import Controller
from sqlmodel import select

from bot.outbox import OutboxWorker, RetryPolicy
from bot.outbox_queue import queue
from bot.store.db import Sessions
from bot.store.models import Direction, Message, Outbox, OutboxStatus
from bot.tickets.outbox import NoticeKind
from intake.mail.send import SmtpConfig, SmtpSender
from intake.message import Channel, OutboundMessage
from tests.conftest import eventually
from tests.servers.smtp import RecordingHandler, SmtpServer, free_port


def now() -> datetime:
    return datetime.now(UTC)


def worker(store: Sessions, smtp: SmtpServer) -> OutboxWorker:
    return delivering(store, smtp_sender(smtp.host, smtp.port))


def smtp_sender(host: str, port: int) -> SmtpSender:
    return SmtpSender(
        SmtpConfig(host=host, port=port, timeout=10), sender="csc@itq.example", sender_name="CSC"
    )


def delivering(store: Sessions, sender: SmtpSender) -> OutboxWorker:
    return OutboxWorker(
        store, {Channel.EMAIL: sender}, policy=RetryPolicy(0.1, 0.2, max_attempts=3), now=now
    )


async def enqueue(store: Sessions, key: str, to: str = "pat@saaq.example") -> int:
    message = OutboundMessage(
        Channel.EMAIL, (to,), "Sujet", "Corps", f"{key}.1@guichet.example", in_reply_to="orig@x"
    )
    async with store() as session:
        row = queue(message, kind=NoticeKind.ACK, key=key, ticket_id=None, now=now())
        session.add(row)
        await session.commit()
        assert row.id is not None
        return row.id


async def row(store: Sessions, row_id: int) -> Outbox:
    async with store() as session:
        return await session.get_one(Outbox, row_id)


async def test_sends_and_records(store: Sessions, smtp_server: SmtpServer) -> None:
    row_id = await enqueue(store, "a")
    assert await worker(store, smtp_server).deliver_due() == 1
    [msg] = smtp_server.handler.messages()
    assert msg["Message-ID"] == "<a.1@guichet.example>"
    assert msg["In-Reply-To"] == "<orig@x>"
    sent = await row(store, row_id)
    assert sent.status == OutboxStatus.SENT and sent.sent_at is not None
    async with store() as session:
        recorded = (
            await session.exec(select(Message).where(Message.direction == Direction.OUT))
        ).one()
    assert recorded.message_id == "a.1@guichet.example"


async def test_temporary_refusal_is_retried_later(store: Sessions, smtp_server: SmtpServer) -> None:
    smtp_server.handler.refusals.append("451 4.3.0 try again later")
    row_id = await enqueue(store, "b")
    outbox = worker(store, smtp_server)
    await outbox.deliver_due()
    failed = await row(store, row_id)
    assert failed.status == OutboxStatus.PENDING
    assert failed.attempts == 1 and failed.sent_at is None
    assert "451" in (failed.last_error or "")
    assert smtp_server.handler.accepted == []

    async def delivered() -> bool:
        await outbox.deliver_due()
        return (await row(store, row_id)).status == OutboxStatus.SENT

    await eventually(delivered)
    assert len(smtp_server.handler.accepted) == 1


async def test_permanent_refusal_is_dead_not_sent(store: Sessions, smtp_server: SmtpServer) -> None:
    smtp_server.handler.refusals.append("550 5.1.1 no such user")
    row_id = await enqueue(store, "c")
    await worker(store, smtp_server).deliver_due()
    dead = await row(store, row_id)
    assert dead.status == OutboxStatus.DEAD and dead.sent_at is None
    assert smtp_server.handler.accepted == []


async def test_unreachable_server_is_retried_then_given_up(store: Sessions) -> None:
    unreachable = SmtpServer("127.0.0.1", 1, handler=None)  # type: ignore[arg-type]
    outbox = worker(store, unreachable)
    row_id = await enqueue(store, "d")

    async def dead() -> bool:
        await outbox.deliver_due()
        return (await row(store, row_id)).status == OutboxStatus.DEAD

    await eventually(dead)
    final = await row(store, row_id)
    assert final.attempts == 3 and final.sent_at is None
    assert "unreachable" in (final.last_error or "")


async def test_a_worker_stopped_at_any_instant_leaves_nothing_leased(
    store: Sessions, smtp_server: SmtpServer
) -> None:
    """Stopping (a service restart) hands back every row the worker leased, whatever await it
    was cancelled at: a leased row left behind waits out the whole lease (90 s) after restart."""
    for i in range(30):
        await enqueue(store, f"stop-{i}", to=f"person{i}@saaq.example")
    for step in range(60):
        run = asyncio.create_task(worker(store, smtp_server).run(idle_seconds=0.05))
        await asyncio.sleep(step * 0.0007)
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
        async with store() as session:
            held = (
                await session.exec(
                    select(Outbox.key).where(
                        Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at > now()
                    )
                )
            ).all()
        assert held == [], f"cancelled after {step * 0.7:.1f} ms, still leased: {held}"


async def test_a_storm_of_acknowledgements_shares_a_few_connections(
    store: Sessions, smtp_server: SmtpServer
) -> None:
    """Forty recipients, forty messages: the handshakes of four connections, not forty."""
    for index in range(40):
        await enqueue(store, f"storm{index}", to=f"p{index}@saaq.example")
    sender = smtp_sender(smtp_server.host, smtp_server.port)
    assert await delivering(store, sender).deliver_due() == 40
    assert len(smtp_server.handler.accepted) == 40
    assert sender.connections.opened <= 4
    await sender.connections.close()


async def test_a_connection_the_server_closed_when_idle_is_replaced(store: Sessions) -> None:
    """A kept connection the server hung up on (its idle timeout, here half a second) is
    replaced by a new one: nothing lost, nothing sent twice."""
    handler = RecordingHandler()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port, timeout=0.5)
    server.start()
    try:
        sender = smtp_sender("127.0.0.1", port)
        worker_ = delivering(store, sender)
        first = await enqueue(store, "before")
        assert await worker_.deliver_due() == 1
        await asyncio.sleep(1.5)  # the server's idle timeout closes the kept connection
        second = await enqueue(store, "after")
        assert await worker_.deliver_due() == 1
        assert [(await row(store, i)).status for i in (first, second)] == [OutboxStatus.SENT] * 2
        assert len(handler.accepted) == 2
        assert sender.connections.opened == 2
        await sender.connections.close()
    finally:
        server.stop()
