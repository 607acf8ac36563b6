"""Making the monthly dashboards: collect each organisation's tickets, write report.html and
report.csv, then print the PDFs a few at a time (`bot.reports.pdf`).

Used by the `report` command and by `report --schedule` (`bot.reports.schedule`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.errors import GuichetError
from bot.organisations import Directory, Organisation
from bot.reports.collect import Period, collect, targets_of
from bot.reports.export import render_csv
from bot.reports.metrics import Figures, compute
from bot.reports.pdf import CHROMIUM, PDF_WORKERS, ChromiumMissing, chromium_path, print_pdf
from bot.reports.render import render_html
from bot.reports.rows import TicketRow
from bot.settings import Settings
from bot.sla.policy import Policy, build_calendars
from bot.store.db import open_store, sessions


def previous_month(today: date) -> str:
    """The month before `today`'s, as `YYYY-MM`: what a report is about by default."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True)
class Written:
    organisation: Organisation
    figures: Figures
    folder: Path
    pdf: bool


def write_report(
    folder: Path,
    organisation: Organisation,
    month: str,
    rows: list[TicketRow],
    policy: Policy,
    now: datetime,
    *,
    pdf: bool = True,
) -> Written:
    """Write report.html, report.csv and (``pdf=True``) report.pdf for one organisation."""
    figures = compute(rows, targets_of(policy))
    folder.mkdir(parents=True, exist_ok=True)
    generated = now.astimezone(ZoneInfo(policy.time_zone))
    html = folder / "report.html"
    html.write_text(render_html(organisation, month, figures, generated), encoding="utf-8")
    (folder / "report.csv").write_text(render_csv(rows), encoding="utf-8-sig", newline="")
    if pdf:
        print_pdf(html, folder / "report.pdf")
    return Written(organisation, figures, folder, pdf)


async def _rows(
    settings: Settings, month: str, org: str | None, policy: Policy, now: datetime
) -> dict[str, list[TicketRow]]:
    period = Period.month(month, ZoneInfo(policy.time_zone), now)
    engine = await open_store(settings.sqlalchemy_url)
    try:
        async with sessions(engine)() as session:
            return await collect(session, period, policy, build_calendars(policy), org)
    finally:
        await engine.dispose()


def make_reports(
    settings: Settings,
    directory: Directory,
    month: str,
    out: Path,
    *,
    org: str | None,
    policy: Policy,
    now: datetime,
    err: TextIO,
    chromium: str = CHROMIUM,
) -> tuple[list[Written], bool]:
    """Every organisation's report for ``month``; returns them and whether every PDF was made.

    The HTML and CSV files are written first, then the PDFs are printed a few at a time (each
    Chromium is a separate process: printing them in turn would dominate the run time).
    """
    if org is not None and directory.by_id(org) is None:
        known = ", ".join(o.id for o in directory.organisations)
        raise GuichetError(f"no organisation {org!r} in {settings.organisations_file} ({known})")
    rows = asyncio.run(_rows(settings, month, org, policy, now))
    chosen = [directory.by_id(org)] if org else [o for o in directory.organisations if o.id in rows]
    pages = [
        write_report(out / o.id, o, month, rows.get(o.id, []), policy, now, pdf=False)
        for o in chosen
        if o is not None
    ]
    try:
        chromium_path(chromium)
    except ChromiumMissing as exc:
        print(f"error: {exc}", file=err)
        return pages, False
    with ThreadPoolExecutor(max_workers=PDF_WORKERS) as pool:
        jobs = [
            pool.submit(print_pdf, p.folder / "report.html", p.folder / "report.pdf", chromium)
            for p in pages
        ]
    complete = True
    written: list[Written] = []
    for page, job in zip(pages, jobs, strict=True):
        error = job.exception()
        if error is not None:
            print(f"error: {page.organisation.id}: {error}", file=err)
            complete = False
        written.append(replace(page, pdf=error is None))
    return written, complete
