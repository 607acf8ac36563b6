"""The agents' queue over a large store: `python -m bench bench.queue`.

Fills a throw-away SQLite store with 100,000 demo tickets (`bot.demo`, one month), serves the
tickets API on loopback with the real aiohttp app, and times what an agent's screen asks for:
the queue's first page (to-confirm first, then newest), a team's page, a subject search, and
one ticket with its thread and log. Issue 12's goals: queue p95 ≤ 200 ms, search p95 ≤ 300 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

TICKETS = 100_000
UNTIL = datetime(2026, 10, 31, 21, 0, tzinfo=UTC)
ROUNDS = 60


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


async def _measure(settings: object) -> list[tuple[str, float, str]]:
    import aiohttp
    from aiohttp import web

    from bot.accounts import tokens
    from bot.api import TicketsApi
    from bot.settings import Settings
    from bot.store.db import create_engine, sessions
    from bot.store.models import Account, Role

    assert isinstance(settings, Settings)
    engine = create_engine(settings.sqlalchemy_url)
    store = sessions(engine)
    now = datetime.now(UTC)
    async with store() as session:
        lead = Account(email="cheffe@desk.example", role=Role.LEAD, created_at=now)
        agent = Account(
            email="agent@desk.example", role=Role.AGENT, teams=["network"], created_at=now
        )
        session.add_all([lead, agent])
        await session.flush()
        lead_token = await tokens.issue(session, lead, "bench", now)
        agent_token = await tokens.issue(session, agent, "bench", now)
        await session.commit()
    app = web.Application()
    app.add_routes(
        TicketsApi(store, domain="guichet.example", now=lambda: datetime.now(UTC)).routes()
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}/api/v1"
    figures: list[tuple[str, float, str]] = []
    try:
        async with aiohttp.ClientSession() as http:

            async def timed(path: str, token: str) -> list[float]:
                samples = []
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    async with http.get(
                        base + path, headers={"Authorization": f"Bearer {token}"}
                    ) as response:
                        await response.read()
                        assert response.status == 200, (path, response.status)
                    samples.append((time.perf_counter() - started) * 1000)
                return samples

            first = await timed("/tickets", lead_token)
            figures.append(("queue_100k_first_page_p95_ms", _p95(first), "ms"))
            figures.append(("queue_100k_first_page_median_ms", statistics.median(first), "ms"))
            team = await timed("/tickets", agent_token)
            figures.append(("queue_100k_agent_team_page_p95_ms", _p95(team), "ms"))
            search = await timed("/tickets?q=imprimante", lead_token)
            figures.append(("queue_100k_search_p95_ms", _p95(search), "ms"))
            # The worst case of a substring search: no ticket matches, every subject is read.
            nothing = await timed("/tickets?q=introuvable-nulle-part", lead_token)
            figures.append(("queue_100k_search_no_match_p95_ms", _p95(nothing), "ms"))
            one = await timed("/tickets/CSC-050000", lead_token)
            figures.append(("queue_100k_one_ticket_p95_ms", _p95(one), "ms"))
    finally:
        await runner.cleanup()
        await engine.dispose()
    return figures


def run() -> list[tuple[str, float, str]]:
    from bench.report import fill
    from bot.settings import Settings
    from bot.store.db import migrate

    with tempfile.TemporaryDirectory(prefix="guichet-bench-queue-") as folder:
        settings = Settings(data_dir=Path(folder) / "var")
        migrate(settings.sqlalchemy_url)
        started = time.perf_counter()
        fill(settings, TICKETS, UNTIL)
        figures = [("demo_100000_tickets_fill_seconds", time.perf_counter() - started, "s")]
        return figures + asyncio.run(_measure(settings))
