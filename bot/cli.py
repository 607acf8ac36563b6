"""`python -m bot`: the service and the operator's commands."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.errors import GuichetError, SettingError, StartupError
from bot.terminal import printable_output

EPILOG = """\
Settings come from GUICHET_* environment variables (and GUICHET_CONFIG_FILE); see README.md or
`python -m bot settings`. Exit status: 0 success, 1 the operation failed, 2 bad usage or bad input.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Guichet, the intake bot of the service desk.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="run the service (HTTP, intake, dispatcher, outbox)")
    serve.add_argument(
        "--migrate", action="store_true", help="apply pending database migrations first"
    )
    commands.add_parser("migrate", help="create or upgrade the database schema")
    commands.add_parser("settings", help="print the effective settings (secrets masked)")

    ingest = commands.add_parser(
        "ingest",
        help="push .eml files through the pipeline once",
        description="Store, triage and answer each file, then exit once every acknowledgement "
        "is written or sent. Files are read, never moved.",
    )
    ingest.add_argument("files", nargs="+", metavar="FILE", help="an RFC 5322 message (.eml)")
    ingest.add_argument(
        "--wait",
        type=float,
        default=60,
        metavar="SECONDS",
        help="how long to keep retrying deliveries before giving up (default: 60)",
    )

    inspect = commands.add_parser(
        "inspect-email",
        help="print what Guichet reads in .eml files (one JSON line each)",
        description="Parse each file as the bot would (no store needed) and print one JSON "
        "object per line: sender, subject, language, automated kind, new text, attachments, "
        "and the ticket it threads to. Bad mail never crashes it: `error` says why. "
        "Exit 2 only when a path cannot be read.",
    )
    inspect.add_argument("paths", nargs="+", metavar="PATH", help="an RFC 5322 message")
    inspect.add_argument(
        "--details", action="store_true", help="add bounce recipients and the evidence"
    )

    triage = commands.add_parser(
        "triage",
        help="run the classifier on JSON lines",
        description='Each input line is {"id", "subject", "text", "channel"} (channel "email" or '
        '"chat"); each output line, in the same order, is the proposal: kind, severity, level, '
        "team, language, confidence, evidence and model. A bad line gets "
        '{"id", "error"} and the rest go on.',
    )
    triage.add_argument(
        "--jsonl", required=True, metavar="FILE", help="input file, or - for standard input"
    )

    quarantine = commands.add_parser(
        "quarantine",
        help="messages kept aside because they could not be processed",
        description="A message that cannot be parsed or processed is kept, with its reason, "
        "instead of blocking the others. List them, or put some back through the pipeline.",
    )
    q_commands = quarantine.add_subparsers(
        dest="quarantine_command", metavar="ACTION", required=True
    )
    q_list = q_commands.add_parser("list", help="list quarantined messages with their reason")
    q_list.add_argument("--json", action="store_true", help="one JSON array")
    q_again = q_commands.add_parser("reprocess", help="process quarantined messages again, now")
    q_again.add_argument("ids", nargs="+", type=int, metavar="ID", help="message id (from list)")

    tickets = commands.add_parser(
        "tickets", help="list tickets: those to confirm first, then newest first"
    )
    tickets.add_argument("--json", action="store_true", help="one JSON array, with the proposals")
    tickets.add_argument("--limit", type=int, default=50, help="how many (default: 50; 0 = all)")
    tickets.add_argument(
        "--to-confirm",
        action="store_true",
        help="only the severities raised on ambiguous evidence that await an agent"
        " (listed first anyway)",
    )
    from bot.accounts.command import register as register_accounts
    from bot.commands.corrections import register as register_corrections
    from bot.commands.mailbox import register as register_mailbox
    from bot.demo.command import register as register_demo
    from bot.outages.command import register as register_outage
    from bot.reports.command import register as register_report
    from bot.sla.command import register as register_sla

    register_sla(commands)
    register_report(commands)
    register_demo(commands)
    register_corrections(commands)
    register_outage(commands)
    register_accounts(commands)
    register_mailbox(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Everything printed, by any command, goes through one filter: subjects and names come
    # from strangers and must not drive the operator's terminal (bot.terminal).
    with printable_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from bot import logs
    from bot.settings import Settings, explain

    try:
        settings = Settings()
    except ValidationError as exc:
        return _refuse(explain(exc), 2)
    except SettingError as exc:
        return _refuse(str(exc), 2)
    logs.configure(settings.log_level)
    try:
        return _run(args, settings)
    except SettingError as exc:
        return _refuse(str(exc), 2)
    except StartupError as exc:
        return _refuse(str(exc), 1)
    except GuichetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _refuse(line: str, status: int) -> int:
    """A start-up problem: one line naming the setting, no traceback (bot.startup)."""
    print(f"guichet: {line}", file=sys.stderr)
    return status


def _run(args: argparse.Namespace, settings: object) -> int:
    from bot.settings import Settings

    assert isinstance(settings, Settings)
    from bot import startup

    if args.command == "serve":
        startup.check_slack(settings)
    if args.command in startup.WRITERS:
        startup.check_writable(settings)
    if args.command == "inspect-email":
        from bot.commands.inspect import print_inspections

        return print_inspections(
            args.paths, domain=settings.message_id_domain, details=args.details
        )
    if args.command == "quarantine":
        from bot.commands import quarantine

        if args.quarantine_command == "list":
            return asyncio.run(quarantine.list_quarantine(settings, as_json=args.json))
        return asyncio.run(quarantine.reprocess(settings, args.ids))
    if args.command == "triage":
        from bot.commands.triage import triage_file

        startup.use_services_file(settings)
        return triage_file(args.jsonl)
    if getattr(args, "handler", None):
        return int(args.handler(args))
    if args.command == "settings":
        for name, value in settings.describe().items():
            print(f"GUICHET_{name.upper()}={value}")
        return 0
    if args.command == "migrate":
        from bot.store.db import migrate

        migrate(settings.sqlalchemy_url)
        print(f"database is up to date ({_safe_url(settings.sqlalchemy_url)})")
        return 0
    if args.command == "serve":
        from bot.app import serve

        if args.migrate:
            from bot.store.db import migrate

            migrate(settings.sqlalchemy_url)
        try:
            asyncio.run(serve(settings, on_ready=lambda line: print(line, flush=True)))
        except Exception as exc:  # only a listener's failure is translated; others re-raised
            problem = startup.bind_problem(exc, settings)
            if problem is None:
                raise
            raise problem from None
        return 0
    if args.command == "ingest":
        from bot.commands.ingest import ingest

        return asyncio.run(ingest(settings, args.files, wait=args.wait))
    if args.command == "tickets":
        from bot.commands.tickets import list_tickets

        return asyncio.run(
            list_tickets(settings, as_json=args.json, limit=args.limit, to_confirm=args.to_confirm)
        )
    raise AssertionError(args.command)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
