"""``python -m bot outage``: declare, update, resolve and list outages from a terminal.

Wire it with ``bot.outages.command.register(subparsers)``; each sub-parser sets ``handler``.
The command writes the outage and its notices to the store and exits; the running service's
outbox worker delivers them (Slack announcement channel, mail lists), and its watcher announces
planned interruptions when their time comes. Standalone: ``python -m bot.outages.command``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import GuichetError
from bot.organisations import load_directory
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageDraft, OutageKind, OutageStatus
from bot.outages.errors import InvalidOutage, OutageError
from bot.sla.command import parse_instant
from nlp.labels import Team

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.settings import Settings

EPILOG = """\
examples:
  python -m bot outage declare --title-fr "Courriel indisponible" --title-en "Email down" \\
      --text-fr "Outlook ne se connecte plus." --text-en "Outlook cannot connect." \\
      --service Outlook --team collaboration
  python -m bot outage declare --planned --start 2026-11-28T20:00:00-05:00 \\
      --end 2026-11-29T02:00:00-05:00 --title-fr ... --title-en ... --text-fr ... --text-en ...
  python -m bot outage update PANNE-0001 --text-fr "Cause trouvée." --text-en "Cause found."
  python -m bot outage resolve PANNE-0001
  python -m bot outage list --json

exit status: 0 success, 1 the store cannot be used, 2 bad input (the message says what to fix).
"""


def broadcast_from_settings(settings: Settings) -> Broadcast:
    """The destinations of outage notices, from the ``outage_*`` settings."""
    return Broadcast(
        slack_channel=settings.outage_slack_channel,
        mail_lists=tuple(settings.outage_mail_lists),
        mail_domain=settings.message_id_domain,
        public_url=settings.public_url,
        organisations={
            o.id: (o.name_fr, o.name_en)
            for o in load_directory(settings.organisations_file).organisations
        },
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``outage`` (declare, update, resolve, list) to a parent parser's subcommands."""
    outage = subparsers.add_parser(
        "outage",
        help="outages and planned interruptions (declare, update, resolve, list)",
        description="Declare, update, resolve and list outages and planned interruptions.\n"
        "The command records them; the running service delivers the notices.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = outage.add_subparsers(dest="outage_command", metavar="ACTION", required=True)
    declare = actions.add_parser(
        "declare",
        help="declare an outage (broadcast now) or a planned interruption (--planned)",
        description="Declare an outage, broadcast at once to the announcement channel and the\n"
        "mail lists; or, with --planned, an interruption announced when its lead time is\n"
        "reached (GUICHET_OUTAGE_PLANNED_LEAD_HOURS) and again as it starts.\n"
        "Titles and texts are required in French and in English.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for name, what in (("title", "title"), ("text", "description for the people affected")):
        for lang, language in (("fr", "French"), ("en", "English")):
            declare.add_argument(f"--{name}-{lang}", required=True, help=f"{language} {what}")
    declare.add_argument("--planned", action="store_true", help="a planned interruption")
    declare.add_argument(
        "--start", type=parse_instant, metavar="INSTANT", help="ISO 8601 with offset (default: now)"
    )
    declare.add_argument("--end", type=parse_instant, metavar="INSTANT", help="expected end")
    for flag, dest, meta, what in (
        ("--service", "services", "NAME", "a service affected (e.g. Outlook)"),
        ("--organisation", "organisations", "ID", "a client organisation id (default: all)"),
        ("--site", "sites", "NAME", "a site affected"),
    ):
        declare.add_argument(
            flag, dest=dest, metavar=meta, action="append", default=[], help=f"{what}; repeatable"
        )
    teams = [t.value for t in Team]
    declare.add_argument(
        "--team", choices=teams, metavar="TEAM", help=f"the team working on it: {', '.join(teams)}"
    )
    declare.set_defaults(handler=run_declare)

    update = actions.add_parser(
        "update", help="post an update (broadcast; not to linked requesters)"
    )
    update.add_argument("number", metavar="NUMBER", help="e.g. PANNE-0001")
    update.add_argument("--text-fr", required=True, help="French text of the update")
    update.add_argument("--text-en", required=True, help="English text of the update")
    update.add_argument("--end", type=parse_instant, metavar="INSTANT", help="new expected end")
    update.set_defaults(handler=run_update)

    resolve = actions.add_parser(
        "resolve", help="resolve: broadcast, and tell every linked requester once"
    )
    resolve.add_argument("number", metavar="NUMBER", help="e.g. PANNE-0001")
    resolve.add_argument("--text-fr", help='French text (default: "Le service est rétabli.")')
    resolve.add_argument(
        "--text-en", help='English text (default: "The service has been restored.")'
    )
    resolve.set_defaults(handler=run_resolve)

    listing = actions.add_parser("list", help="list ongoing and planned outages")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    listing.add_argument("--all", action="store_true", help="resolved ones too (newest first)")
    listing.set_defaults(handler=run_list)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def _now() -> datetime:
    return datetime.now(UTC)


def _run(work: Callable[[AsyncSession, Settings], Awaitable[str]]) -> int:
    """Open the store, run `work` in one transaction, print its line; 2 for the sender's fault."""
    from bot.settings import Settings
    from bot.store.db import open_store, sessions

    settings = Settings()

    async def go() -> str:
        engine = await open_store(settings.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                line = await work(session, settings)
                await session.commit()
                return line
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(go()))
    except InvalidOutage as exc:
        print(f"error: {OPTIONS.get(exc.field, exc.field)}: {exc.detail}", file=sys.stderr)
        return 2
    except OutageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


OPTIONS = {
    "title_fr": "--title-fr",
    "title_en": "--title-en",
    "text_fr": "--text-fr",
    "text_en": "--text-en",
    "starts_at": "--start",
    "expected_end": "--end",
    "services": "--service",
    "organisations": "--organisation",
    "sites": "--site",
    "team": "--team",
}
"""The option to fix for each field an `InvalidOutage` names."""


def run_declare(args: argparse.Namespace) -> int:
    from bot.outages import registry

    draft = OutageDraft(
        title_fr=args.title_fr,
        title_en=args.title_en,
        text_fr=args.text_fr,
        text_en=args.text_en,
        kind=OutageKind.PLANNED if args.planned else OutageKind.OUTAGE,
        starts_at=args.start,
        expected_end=args.end,
        services=tuple(args.services),
        organisations=tuple(args.organisations),
        sites=tuple(args.sites),
        team=args.team,
    )

    async def work(session: AsyncSession, settings: Settings) -> str:
        broadcast = broadcast_from_settings(settings)
        outage = await registry.declare(session, draft, _actor(), _now(), broadcast)
        if outage.kind == OutageKind.PLANNED:
            lead = timedelta(hours=settings.outage_planned_lead_hours)
            return (
                f"{outage.number} recorded (planned interruption): announced from "
                f"{(outage.starts_at - lead).isoformat()}, and again at its start"
            )
        return f"{outage.number} declared and queued for broadcast"

    return _run(work)


def run_update(args: argparse.Namespace) -> int:
    from bot.outages import registry

    async def work(session: AsyncSession, settings: Settings) -> str:
        notice = await registry.post_update(
            session,
            args.number,
            args.text_fr,
            args.text_en,
            _actor(),
            _now(),
            broadcast_from_settings(settings),
            expected_end=args.end,
        )
        return f"{registry.normalise_number(args.number)}: update {notice.seq} recorded"

    return _run(work)


def run_resolve(args: argparse.Namespace) -> int:
    from bot.outages import registry

    async def work(session: AsyncSession, settings: Settings) -> str:
        await registry.resolve(
            session,
            args.number,
            _actor(),
            _now(),
            broadcast_from_settings(settings),
            text_fr=args.text_fr,
            text_en=args.text_en,
        )
        return f"{registry.normalise_number(args.number)} resolved"

    return _run(work)


def run_list(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from bot.outages.status import outage_json
    from bot.store.models import Outage

    async def work(session: AsyncSession, settings: Settings) -> str:
        query = select(Outage).order_by(col(Outage.id).desc())
        if not args.all:
            query = query.where(col(Outage.status) != OutageStatus.RESOLVED)
        outages = (await session.exec(query)).all()
        if args.json:
            return json.dumps([outage_json(o) for o in outages], ensure_ascii=False, indent=1)
        lines = [
            f"{o.number}  {o.status:<8}  {o.kind:<7}  {o.starts_at:%Y-%m-%d %H:%M}Z  {o.title_fr}"
            for o in outages
        ]
        return "\n".join(lines) or "no outage"

    return _run(work)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.outages.command ACTION ...``, until the main CLI wires `register`."""
    parser = argparse.ArgumentParser(prog="python -m bot.outages.command")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] != ["outage"]:
        args_list.insert(0, "outage")
    args = parser.parse_args(args_list)
    try:
        return int(args.handler(args))
    except GuichetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
