"""``python -m bot report``: each organisation's monthly dashboard as HTML, CSV and PDF.

Wire it with ``bot.reports.command.register(subparsers)``; the parser sets ``handler=run_report``.
The PDF is the HTML page printed by Debian's Chromium in headless mode (`print_pdf`); without
Chromium the HTML and CSV are still written and the command exits 1 saying what to install.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import GuichetError

if TYPE_CHECKING:
    from bot.organisations import Directory, Organisation
    from bot.reports.metrics import Figures, TicketRow
    from bot.settings import Settings
    from bot.sla.policy import Policy

CHROMIUM = "/usr/bin/chromium"
PDF_TIMEOUT_SECONDS = 120
PDF_WORKERS = min(4, os.cpu_count() or 1)


class ReportError(GuichetError):
    """A report could not be made completely: the operator's problem (a missing tool, a hang)."""


class ChromiumMissing(ReportError):
    """Debian's Chromium is not installed: no PDF."""


def parse_month(text: str) -> str:
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a month; write YYYY-MM, e.g. 2026-10"
        ) from None
    return parsed.strftime("%Y-%m")


def previous_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to a parent parser's subcommands."""
    report = subparsers.add_parser(
        "report",
        help="monthly dashboards per organisation (HTML, CSV, PDF)",
        description="Write each client organisation's monthly dashboard: DIR/ORG/report.html "
        "(self-contained, in French), report.csv (one line per ticket with its clocks) and "
        "report.pdf (printed by Chromium).",
        epilog="examples:\n  python -m bot report --month 2026-10 --out var/reports\n"
        "  python -m bot report --month 2026-10 --org msss --out /tmp/r\n"
        "  python -m bot report --schedule   # daily from cron: mails last month's reports once, "
        "on the first business day\n\nexit status: 0 on success, 1 when a report could not be "
        "made completely (e.g. no Chromium for the PDF), 2 on bad usage.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("--month", type=parse_month, metavar="YYYY-MM", help="default: last month")
    report.add_argument("--org", metavar="ORG", help="only this organisation id (e.g. msss)")
    report.add_argument("--out", type=Path, metavar="DIR", help="default: DATA_DIR/reports/MONTH")
    report.add_argument(
        "--schedule",
        action="store_true",
        help="from the first business day of the month on, make last month's reports and queue "
        "them by email to each organisation's report_contacts (once: key report:ORG:MONTH)",
    )
    report.add_argument(
        "--url", metavar="BASE", default="", help="with --schedule: where DIR is published"
    )
    report.add_argument("--policy", metavar="FILE", default=None, help="SLA policy TOML file")
    report.add_argument(
        "--chromium", metavar="PATH", default=CHROMIUM, help=f"browser for the PDF ({CHROMIUM})"
    )
    report.set_defaults(handler=run_report)


@dataclass(frozen=True, slots=True)
class Written:
    organisation: Organisation
    figures: Figures
    folder: Path
    pdf: bool


def chromium_path(chromium: str = CHROMIUM) -> str:
    """The Chromium executable to print with, or `ChromiumMissing` saying what to install."""
    found = shutil.which(chromium)
    if found is None:
        raise ChromiumMissing(
            f"Chromium ({chromium}) is not installed, so no PDF was written (the HTML and CSV "
            "were): install the Debian package `chromium` (apt-get install chromium, or run "
            "scripts/system-deps.sh as root)"
        )
    return found


def print_pdf(html: Path, pdf: Path, chromium: str = CHROMIUM) -> None:
    """Print ``html`` to ``pdf`` with headless Chromium; `ChromiumMissing` or `ReportError`."""
    chromium = chromium_path(chromium)
    with tempfile.TemporaryDirectory(prefix="guichet-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(  # noqa: S603  (fixed program, our own arguments)
                command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise ReportError(
                f"Chromium took over {PDF_TIMEOUT_SECONDS} s to print {html}"
            ) from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ReportError(f"Chromium could not print {html}: {' / '.join(tail)}")


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
    from zoneinfo import ZoneInfo

    from bot.reports.collect import targets_of
    from bot.reports.export import render_csv
    from bot.reports.metrics import compute
    from bot.reports.render import render_html

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
    from zoneinfo import ZoneInfo

    from bot.reports.collect import Period, collect
    from bot.sla.policy import build_calendars
    from bot.store.db import open_store, sessions

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


def run_report(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Handler of ``report``: 0 when every file was written, 1 otherwise (message on stderr)."""
    from bot.organisations import load_directory
    from bot.settings import Settings
    from bot.sla.policy import load_policy

    stdout, stderr = out or sys.stdout, err or sys.stderr
    now = datetime.now(UTC)
    try:
        settings = Settings()
        policy = load_policy(args.policy)
        directory = load_directory(settings.organisations_file)
        if args.schedule:
            from bot.reports.schedule import run_schedule

            return run_schedule(
                settings,
                directory,
                policy,
                now,
                month=args.month,
                org=args.org,
                out=args.out,
                url=args.url,
                chromium=args.chromium,
                stdout=stdout,
                stderr=stderr,
            )
        month = args.month or previous_month(now.date())
        target = args.out or settings.data_dir / "reports" / month
        written, complete = make_reports(
            settings,
            directory,
            month,
            target,
            org=args.org,
            policy=policy,
            now=now,
            err=stderr,
            chromium=args.chromium,
        )
    except (GuichetError, OSError) as exc:
        print(f"error: {exc}", file=stderr)
        return 1
    for item in written:
        files = "report.html, report.csv" + (", report.pdf" if item.pdf else "")
        print(
            f"{item.organisation.id}: {item.figures.tickets} tickets → {item.folder}/ ({files})",
            file=stdout,
        )
    if not written:
        print(f"no tickets in {month}: no report written", file=stdout)
    return 0 if complete else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.reports.command`` until the main CLI wires `register`."""
    parser = argparse.ArgumentParser(prog="python -m bot.reports.command")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    return int(args.handler(args))


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    raise SystemExit(main())
