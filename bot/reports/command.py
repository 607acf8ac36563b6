"""``python -m bot report``: each organisation's monthly dashboard as HTML, CSV and PDF.

Wire it with ``bot.reports.command.register(subparsers)``; the parser sets ``handler=run_report``.
The reports are made by `bot.reports.make` (PDF printed by Debian's Chromium in headless mode,
`bot.reports.pdf`); without Chromium the HTML and CSV are still written and the command exits 1
saying what to install. `--schedule` mails them (`bot.reports.schedule`).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.errors import GuichetError
from bot.reports.pdf import CHROMIUM


def parse_month(text: str) -> str:
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a month; write YYYY-MM, e.g. 2026-10"
        ) from None
    return parsed.strftime("%Y-%m")


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


def run_report(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Handler of ``report``: 0 when every file was written, 1 otherwise (message on stderr)."""
    # Deferred: every CLI command loads this module for `register`, and the report machinery
    # (the store, the charts) takes seconds to import.
    from bot.organisations import load_directory
    from bot.reports.make import make_reports, previous_month
    from bot.reports.schedule import run_schedule
    from bot.settings import Settings
    from bot.sla.policy import load_policy

    stdout, stderr = out or sys.stdout, err or sys.stderr
    now = datetime.now(UTC)
    try:
        settings = Settings()
        policy = load_policy(args.policy)
        directory = load_directory(settings.organisations_file)
        if args.schedule:
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
