"""Folder source → tickets → acknowledgement files, end to end through the real service."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import aiohttp
from sqlmodel import func, select

from bench import cpu
from bench.drop import drop_all, file_cost_ms, ready
from bench.elsewhere import other_process
from bench.mailgen import generate
from bot.app import serve
from bot.settings import Settings
from bot.store.db import Sessions, create_engine, migrate, sessions
from bot.store.models import Direction, Message, MessageState, Outbox, OutboxStatus
from tests.mail import drop
from tests.servers.worker import tree_peak_rss_mb

Figure = tuple[str, float, str]


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
        said: list[str] = []
        service = asyncio.create_task(serve(settings, on_ready=said.append, stop=stop))
        while not said:
            await asyncio.sleep(0.05)
        await _until_ready(said[0].split()[4])  # a storm meets a running service, model loaded
        settings.inbox.mkdir(parents=True, exist_ok=True)
        dropped: dict[str, float] = {}
        context: list[Figure] = []
        if pace:
            start = time.time()
            for index, (message_id, raw) in enumerate(mails):
                drop(settings.inbox, f"{index:05d}.eml", raw)
                dropped[message_id] = time.time()
                await asyncio.sleep(pace)
        else:  # mail arrives while the service works, written by another process (the MTA)
            cost = await asyncio.to_thread(file_cost_ms, Path(tmp) / "calibration")
            context.append((f"{prefix}_disk_file_create_cpu", cost, "ms"))
            async with other_process() as mta:
                loop = asyncio.get_running_loop()
                dropper = await loop.run_in_executor(mta, ready)  # started before the clock is
                before = cpu.Reading.now(os.getpid())
                start = time.time()
                dropped = await loop.run_in_executor(mta, drop_all, settings.inbox, mails)
                dropping = cpu.cpu_seconds(dropper) - before.children.get(dropper, 0.0)
        engine = create_engine(settings.sqlalchemy_url)
        made = sessions(engine)
        while not await _settled(made, len(mails)):
            await asyncio.sleep(0.5)
        if not pace:
            used = cpu.spent(before, cpu.Reading.now(os.getpid()), frozenset({dropper}))
            context += _cpu_figures(prefix, used, dropping, count)
        rows = await _answered(made)
        end = max(sent.timestamp() for _, sent in rows)
        peak = tree_peak_rss_mb(os.getpid())  # the service and its triage process, if any
        stop.set()
        await service
        await engine.dispose()
        latencies = sorted(
            (sent.timestamp() - dropped[mid]) * 1000 for mid, sent in rows if mid in dropped
        )
        q = statistics.quantiles(latencies, n=100)
        return [
            (f"{prefix}_messages", float(count), "messages"),
            (f"{prefix}_throughput", count / (end - start), "messages/s"),
            (f"{prefix}_latency_p50", q[49], "ms"),
            (f"{prefix}_latency_p95", q[94], "ms"),
            (f"{prefix}_peak_rss", peak, "MB"),
            *context,
        ]


def _cpu_figures(prefix: str, used: cpu.Spent, dropping: float, count: int) -> list[Figure]:
    """CPU time per message of the service (all its threads), its triage process, and the
    process that dropped the mail (a mail transfer agent's work); the machine's busy share. The
    storm is bound by the machine's CPU when the share nears 100 %: then only less CPU per
    message makes it faster."""
    return [
        (f"{prefix}_cpu_service", used.own / count * 1000, "ms/message"),
        (f"{prefix}_cpu_triage_process", used.children / count * 1000, "ms/message"),
        (f"{prefix}_cpu_dropping_process", dropping / count * 1000, "ms/message"),
        (f"{prefix}_machine_busy", used.busy * 100, "%"),
    ]


async def _until_ready(url: str) -> None:
    """Wait for `/readyz` to say 200 (the classifier loaded); give up after two minutes."""
    async with asyncio.timeout(120), aiohttp.ClientSession() as http:
        while True:
            async with http.get(url + "readyz") as response:
                if response.status == 200:
                    return
            await asyncio.sleep(0.1)


async def _settled(made: Sessions, count: int) -> bool:
    """Every message stored and processed, nothing left to send: three counts (the poll
    must not compete with the service for the store it measures)."""
    async with made() as session:
        waiting = (
            await session.exec(
                select(func.count())
                .select_from(Message)
                .where(Message.state == MessageState.RECEIVED)
            )
        ).one()
        stored = (
            await session.exec(
                select(func.count()).select_from(Message).where(Message.direction == Direction.IN)
            )
        ).one()
        pending = (
            await session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.status == OutboxStatus.PENDING)
            )
        ).one()
    return stored >= count and waiting == 0 and pending == 0


async def _answered(made: Sessions) -> list[tuple[str, datetime]]:
    """(Message-ID, when its first answer was sent) of each inbound message answered so far:
    the ticket's first delivered row, or the answer made without a ticket (`answer:<id>`)."""
    async with made() as session:
        inbound = (
            await session.exec(
                select(Message.id, Message.message_id, Message.ticket_id).where(
                    Message.direction == "in"
                )
            )
        ).all()
        sent = (
            await session.exec(
                select(Outbox.key, Outbox.ticket_id, Outbox.sent_at).where(
                    Outbox.status == OutboxStatus.SENT
                )
            )
        ).all()
    by_ticket: dict[int, datetime] = {}
    by_key: dict[str, datetime] = {}
    for key, ticket_id, sent_at in sent:
        if sent_at is None:
            continue
        by_key[key] = sent_at
        if ticket_id is not None and (ticket_id not in by_ticket or sent_at < by_ticket[ticket_id]):
            by_ticket[ticket_id] = sent_at
    out = []
    for row_id, mid, ticket_id in inbound:
        when = by_key.get(f"answer:{row_id}") or by_ticket.get(ticket_id or -1)
        if mid and when:
            out.append((mid, when))
    return out


def run() -> list[Figure]:
    storm = asyncio.run(_run(5000, None, "folder_storm_5000"))
    paced = asyncio.run(_run(200, 0.05, "folder_paced_20per_s"))
    return storm + paced
