"""Folder source → tickets → acknowledgement files, end to end through the real service."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import col, select

from bench.mailgen import generate
from bot.app import serve
from bot.settings import Settings
from bot.store.db import create_engine, migrate, sessions
from bot.store.models import Message, Outbox, OutboxStatus

Figure = tuple[str, float, str]


def _drop(inbox: Path, name: str, raw: bytes) -> None:
    tmp = inbox / f".{name}.tmp"
    tmp.write_bytes(raw)
    os.replace(tmp, inbox / name)


async def _run(count: int, pace: float | None, prefix: str) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp) / "var",
            http_port=0,
            inbox_poll_seconds=0.05,
            mail_domain="guichet.bench",
        )
        await asyncio.to_thread(migrate, settings.sqlalchemy_url)
        mails = generate(count, seed=7 if pace else 3)
        stop = asyncio.Event()
        ready = asyncio.Event()
        service = asyncio.create_task(serve(settings, on_ready=lambda _: ready.set(), stop=stop))
        await ready.wait()
        settings.inbox.mkdir(parents=True, exist_ok=True)
        dropped: dict[str, float] = {}
        start = time.time()
        for index, (message_id, raw) in enumerate(mails):
            _drop(settings.inbox, f"{index:05d}.eml", raw)
            dropped[message_id] = time.time()
            if pace:
                await asyncio.sleep(pace)
        engine = create_engine(settings.sqlalchemy_url)
        made = sessions(engine)
        while True:
            async with made() as session:
                rows = (
                    await session.exec(
                        select(Message.message_id, Outbox.sent_at)
                        .join(Outbox, col(Outbox.ticket_id) == col(Message.ticket_id))
                        .where(Outbox.status == OutboxStatus.SENT, Message.direction == "in")
                    )
                ).all()
            if len(rows) >= sum(1 for m in dropped if "gmail" not in m):
                break
            await asyncio.sleep(0.2)
        end = max(sent.timestamp() for _, sent in rows if sent)
        stop.set()
        await service
        await engine.dispose()
        latencies = sorted(
            (sent.timestamp() - dropped[mid]) * 1000
            for mid, sent in rows
            if sent and mid in dropped
        )
        q = statistics.quantiles(latencies, n=100)
        return [
            (f"{prefix}_messages", float(count), "messages"),
            (f"{prefix}_throughput", count / (end - start), "messages/s"),
            (f"{prefix}_latency_p50", q[49], "ms"),
            (f"{prefix}_latency_p95", q[94], "ms"),
        ]


def run() -> list[Figure]:
    storm = asyncio.run(_run(2000, None, "folder_storm_2000"))
    paced = asyncio.run(_run(200, 0.05, "folder_paced_20per_s"))
    return storm + paced
