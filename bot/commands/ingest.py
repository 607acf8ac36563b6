"""`python -m bot ingest FILE...`: the pipeline once, for files, then exit."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, func, select

from bot.app import build
from bot.receive import store_raw
from bot.settings import Settings
from bot.store.models import Message, Outbox, OutboxStatus, Ticket
from intake.message import Channel, InboundMessage


async def ingest(settings: Settings, files: list[str], *, wait: float) -> int:
    parts = await build(settings)
    status = 0
    try:
        stored: list[tuple[str, int]] = []
        for name in files:
            try:
                raw = await asyncio.to_thread(Path(name).read_bytes)
            except OSError as exc:
                print(f"{name}: cannot read it ({exc.strerror})", file=sys.stderr)
                status = 2
                continue
            inbound = InboundMessage(Channel.EMAIL, raw, datetime.now(UTC), "cli", name)
            received = await store_raw(parts.sessions, inbound)
            stored.append((name, received.message_id))
        while await parts.dispatcher.process_pending() > 0:
            pass
        pending = await _deliver(parts, wait)
        async with parts.sessions() as session:
            for name, message_id in stored:
                row = await session.get_one(Message, message_id)
                number = None
                if row.ticket_id is not None:
                    number = (await session.get_one(Ticket, row.ticket_id)).number
                detail = f" ({row.error_kind})" if row.error_kind else ""
                print(f"{name}: {row.state}{detail}" + (f" → {number}" if number else ""))
        if pending:
            print(
                f"{pending} notification(s) still queued after {wait:g}s; `serve` will keep "
                "retrying them (see the outbox errors in the log)",
                file=sys.stderr,
            )
            status = status or 1
    finally:
        await parts.engine.dispose()
    return status


async def _deliver(parts: object, wait: float) -> int:
    """Deliver until nothing is pending or `wait` seconds passed; return what is still pending."""
    from bot.app import Parts

    assert isinstance(parts, Parts)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        await parts.outbox.deliver_due()
        async with parts.sessions() as session:
            pending = (
                await session.exec(
                    select(func.count(col(Outbox.id))).where(Outbox.status == OutboxStatus.PENDING)
                )
            ).one()
        if pending == 0 or loop.time() >= deadline:
            return int(pending)
        await asyncio.sleep(min(1.0, max(0.0, deadline - loop.time())))
