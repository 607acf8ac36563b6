"""Outage speed: `python -m bench.outage` (or import and call `run()`).

In a throw-away SQLite store: times `declare` with its broadcast (one Slack post, two mail
lists) up to the commit; then, with 1,000 tickets linked to the outage (each opened by an email,
a tenth of them by a Slack post), times `resolve` up to the commit: the broadcast, one notice
queued per requester in their language and thread (each ticket's first message read back), and
every ticket moved to ``resolved``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, func, select

from bot.outages import registry
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageDraft
from bot.outages.linked import link_ticket
from bot.settings import Settings
from bot.store.db import Sessions, create_engine, migrate, sessions
from bot.store.models import Outbox
from intake.message import Channel
from tests.outages.helpers import new_ticket

Figure = tuple[str, float, str]
TICKETS = 1_000
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
BROADCAST = Broadcast(
    slack_channel="C0ANNOUNCE",
    mail_lists=("tous-csc@itq.example", "pilotes@msss.example"),
    mail_domain="guichet.bench",
    public_url="https://guichet.bench/",
)
DRAFT = OutageDraft(
    title_fr="Courriel Outlook indisponible",
    title_en="Outlook email unavailable",
    text_fr="Les boîtes aux lettres ne répondent plus.",
    text_en="Mailboxes no longer respond.",
    services=("Outlook",),
    team="collaboration",
)


async def _linked_tickets(store: Sessions, count: int) -> None:
    async with store() as session:
        outage = await registry.get(session, "PANNE-0001")
        for n in range(count):
            language = "en" if n % 3 == 0 else "fr"
            channel = Channel.SLACK if n % 10 == 0 else Channel.EMAIL  # one in ten from Slack
            ticket = await new_ticket(session, n, language=language, channel=channel)
            await link_ticket(session, outage, ticket, NOW)
        await session.commit()


async def _run(url: str) -> list[Figure]:
    engine = create_engine(url)
    store = sessions(engine)
    figures: list[Figure] = []
    try:
        started = time.perf_counter()
        async with store() as session:
            await registry.declare(session, DRAFT, "bench", NOW, BROADCAST)
            await session.commit()
        figures.append(("outage_declare_broadcast_seconds", time.perf_counter() - started, "s"))

        started = time.perf_counter()
        await _linked_tickets(store, TICKETS)
        figures.append(("outage_link_1000_tickets_seconds", time.perf_counter() - started, "s"))

        started = time.perf_counter()
        async with store() as session:
            await registry.resolve(
                session, "PANNE-0001", "bench", NOW + timedelta(hours=1), BROADCAST
            )
            await session.commit()
        elapsed = time.perf_counter() - started
        figures.append(("outage_resolve_1000_linked_seconds", elapsed, "s"))

        async with store() as session:
            told = (
                await session.exec(
                    select(func.count(col(Outbox.id))).where(
                        col(Outbox.key).startswith("outage:PANNE-0001:resolved:")
                    )
                )
            ).one()
        figures.append(("outage_resolve_requesters_told", float(told), "notices"))
    finally:
        await engine.dispose()
    return figures


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="guichet-bench-outage-") as folder:
        settings = Settings(data_dir=Path(folder) / "var")
        migrate(settings.sqlalchemy_url)
        return asyncio.run(_run(settings.sqlalchemy_url))


if __name__ == "__main__":
    for figure, value, unit in run():
        print(f"{figure}: {value:.6g} {unit}")
