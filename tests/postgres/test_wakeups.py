"""Wake-ups across workers on PostgreSQL (`bot.store.wakeups`, migration 0016): an outage
written through one connection wakes a listener on another, as a planned interruption declared
in one worker's console wakes the outage watcher running in another worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store.db import Sessions
from bot.store.models import Outage
from bot.store.wakeups import OUTAGES, PostgresWakeups
from tests.conftest import eventually

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_an_outage_written_elsewhere_wakes_the_listener(
    store: Sessions, postgres_url: str
) -> None:
    woken: list[int] = []
    listening = asyncio.create_task(
        PostgresWakeups(postgres_url, check_seconds=0.1).run(OUTAGES, lambda: woken.append(1))
    )
    try:
        await eventually(lambda: woken)  # once as it starts listening
        before = len(woken)
        outage = Outage(
            kind="planned", title_fr="Maintenance", title_en="Maintenance", text_fr="Arrêt",
            text_en="Downtime", status="planned", starts_at=NOW + timedelta(hours=1),
            declared_by="console:lead@itq.example", created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        async with store() as session:
            session.add(outage)
            await session.commit()
        await eventually(lambda: len(woken) > before)
        before = len(woken)
        async with store() as session:
            row = await session.get_one(Outage, outage.id)
            row.status = "active"
            await session.commit()
        await eventually(lambda: len(woken) > before)
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
