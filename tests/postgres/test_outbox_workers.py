"""Two outbox workers on one PostgreSQL database, each with its own engine as two processes
would have: they lease disjoint rows (`FOR UPDATE SKIP LOCKED`, conditional lease), so every
row reaches the real SMTP server exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlmodel import col, func, select

from bot.outbox_queue import queue
from bot.store.db import create_engine, sessions
from bot.store.models import Outbox, OutboxStatus
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage
from tests.servers.smtp import SmtpServer
from tests.test_smtp_delivery import now, worker

ROWS = 300
RECIPIENTS = 40


async def test_two_workers_send_every_row_exactly_once(
    postgres_url: str, smtp_server: SmtpServer
) -> None:
    engines = [create_engine(postgres_url), create_engine(postgres_url)]
    stores = [sessions(engine) for engine in engines]
    async with stores[0]() as session:
        for i in range(ROWS):
            message = OutboundMessage(
                Channel.EMAIL,
                (f"person{i % RECIPIENTS}@saaq.example",),
                f"Accusé {i}",
                "Corps",
                f"ack-{i}.1@guichet.example",
            )
            session.add(
                queue(message, kind=NoticeKind.ACK, key=f"ack-{i}", ticket_id=None, now=now())
            )
        await session.commit()

    async def all_sent() -> bool:
        async with stores[1]() as session:
            left = (
                await session.exec(
                    select(func.count())
                    .select_from(Outbox)
                    .where(col(Outbox.status) != OutboxStatus.SENT)
                )
            ).one()
        return left == 0

    workers = [worker(store, smtp_server) for store in stores]
    try:
        # Both claim at once, round after round: each reads the same due rows.
        while sum(await asyncio.gather(*(w.deliver_due(limit=10) for w in workers))):
            pass
        assert await all_sent()
    finally:
        for engine in engines:
            await engine.dispose()

    sent = Counter(str(m["Message-ID"]) for m in smtp_server.handler.messages())
    twice = {mid: n for mid, n in sent.items() if n > 1}
    assert twice == {}, f"sent more than once: {twice}"
    assert len(sent) == ROWS
