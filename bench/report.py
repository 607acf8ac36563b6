"""Monthly report speed: `python -m bench.report` (or import and call `run()`).

Fills a throw-away SQLite store with a month of 10,000 demo tickets (`bot.demo`), then times
`report` for that month: reading the store and recomputing every clock, the figures, the HTML
and CSV of every organisation, and (when Chromium is installed) their PDFs.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

TICKETS = 10_000
MONTH = "2026-10"
UNTIL = datetime(2026, 10, 31, 21, 0, tzinfo=UTC)  # the history starts 30 days before


def fill(settings: object, count: int = TICKETS, until: datetime = UNTIL) -> int:
    """`count` demo tickets over the month before `until`, written into an empty store."""
    from bot.demo.command import plan_history, write_history
    from bot.organisations import load_directory
    from bot.settings import Settings
    from bot.sla.policy import default_policy
    from bot.store.db import create_engine

    assert isinstance(settings, Settings)
    tickets = plan_history(
        load_directory(settings.organisations_file),
        default_policy(),
        seed=1,
        months=1,
        per_month=count,
        until=until,
    )

    async def write() -> int:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            return await write_history(engine, tickets)
        finally:
            await engine.dispose()

    return asyncio.run(write())


def run() -> list[tuple[str, float, str]]:
    from bot.organisations import load_directory
    from bot.reports.make import make_reports
    from bot.settings import Settings
    from bot.sla.policy import default_policy
    from bot.store.db import migrate

    figures: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="guichet-bench-report-") as folder:
        settings = Settings(data_dir=Path(folder) / "var")
        migrate(settings.sqlalchemy_url)
        started = time.perf_counter()
        fill(settings)
        figures.append(("demo_10000_tickets_fill_seconds", time.perf_counter() - started, "s"))
        directory, policy = load_directory(settings.organisations_file), default_policy()
        now = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
        for name, chromium in (("nopdf", "/nonexistent/chromium"), ("", "/usr/bin/chromium")):
            if name == "" and shutil.which(chromium) is None:
                continue  # no Chromium here: the figure with PDFs is left out
            started = time.perf_counter()
            written, _ = make_reports(
                settings,
                directory,
                MONTH,
                Path(folder) / f"out{name}",
                org=None,
                policy=policy,
                now=now,
                err=io.StringIO(),
                chromium=chromium,
            )
            elapsed = time.perf_counter() - started
            label = "report_10000_tickets_seconds" + (f"_{name}" if name else "")
            figures.append((label, elapsed, "s"))
        month_tickets = sum(w.figures.tickets for w in written)
        figures.append(("report_month_tickets", float(month_tickets), "tickets"))
        figures.append(("report_organisations", float(len(written)), "reports"))
    return figures


if __name__ == "__main__":
    for figure, value, unit in run():
        print(f"{figure}: {value:.6g} {unit}")
