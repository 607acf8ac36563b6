"""``python -m bot demo``: fill an empty store with a reproducible history (`bot.demo.plan`).

Rows go through the same tables and log vocabulary as the live bot, so ``sla show``, the
watcher and ``report`` work on them. Inserts are batched (Core ``executemany``): a month of
10,000 tickets takes seconds, not minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, select

from bot.demo.plan import PlannedTicket, Planner
from bot.errors import GuichetError
from bot.organisations import Directory
from bot.sla.policy import Policy, build_calendars
from bot.store import search
from bot.store.models import Outbox, OutboxStatus, Requester, Ticket, TicketEvent
from bot.tickets.outbox import NoticeKind


class StoreNotEmpty(GuichetError):
    """The demo refuses to mix invented tickets with real ones."""


_MODELS: dict[str, type[SQLModel]] = {
    "requester": Requester,
    "ticket": Ticket,
    "ticket_event": TicketEvent,
    "outbox": Outbox,
}


def plan_history(
    directory: Directory, policy: Policy, *, seed: int, months: int, per_month: int, until: datetime
) -> list[PlannedTicket]:
    """The planned tickets: ``per_month`` a month over ``months`` months ending at ``until``."""
    orgs = [(o.id, o.domains[0]) for o in directory.organisations]
    planner = Planner(seed, policy, build_calendars(policy), orgs)
    start = until - timedelta(days=round(30.44 * months))
    return planner.plan(start, until, per_month * months)


def _rows(tickets: Sequence[PlannedTicket]) -> dict[str, list[dict[str, Any]]]:
    requesters: dict[str, dict[str, Any]] = {}
    tables: dict[str, list[dict[str, Any]]] = {"ticket": [], "ticket_event": [], "outbox": []}
    for t in tickets:
        if t.requester not in requesters:
            requesters[t.requester] = {
                "id": len(requesters) + 1,
                "address": t.requester,
                "name": t.requester_name,
                "organisation": t.organisation,
                "language": t.language,
                "created_at": t.created_at,
            }
        tables["ticket"].append(
            {
                "id": t.id,
                "number": t.number,
                "status": t.status,
                "kind": t.kind,
                "severity": t.severity,
                "level": t.level,
                "team": t.team,
                "channel": t.channel,
                "language": t.language,
                "subject": t.subject,
                "organisation": t.organisation,
                "requester_id": requesters[t.requester]["id"],
                "model_version": "demo-1",
                "triage": {
                    "language": t.language,
                    "model": "demo-1",
                    "kind": t.kind,
                    "severity": t.proposed,
                    "level": t.proposed_level,
                    "team": t.team,
                },
                "created_at": t.created_at,
                "updated_at": t.updated_at or t.created_at,
            }
        )
        tables["ticket_event"] += [
            {"ticket_id": t.id, "at": e.at, "type": e.type, "actor": e.actor, "data": e.data}
            for e in t.events
        ]
        if t.ack_due is not None:
            tables["outbox"].append(
                {
                    "key": f"ack:{t.number}",
                    "kind": NoticeKind.ACK,
                    "audience": NoticeKind.ACK.audience,
                    "ticket_id": t.id,
                    "channel": t.channel,  # answered where it was asked, as the bot does
                    "payload": {
                        "channel": t.channel,
                        "to": [t.requester if t.channel == "email" else "C0DEMOSUPPORT"],
                        "subject": f"[{t.number}] Accusé de réception : {t.subject}",
                    },
                    "status": OutboxStatus.SENT if t.ack_sent else OutboxStatus.PENDING,
                    "attempts": 1 if t.ack_sent else 0,
                    "next_attempt_at": t.created_at,
                    "created_at": t.created_at,
                    "sent_at": t.ack_sent,
                }
            )
    return {"requester": list(requesters.values()), **tables}


async def write_history(engine: AsyncEngine, tickets: Sequence[PlannedTicket]) -> int:
    """Insert the planned tickets into an empty store; `StoreNotEmpty` otherwise."""
    rows = _rows(tickets)
    async with engine.begin() as connection:
        found = (await connection.execute(select(func.count()).select_from(Ticket))).scalar_one()
        if found:
            raise StoreNotEmpty(
                f"the store already holds {found} tickets; the demo only fills an empty store "
                "(point GUICHET_DATA_DIR or GUICHET_DATABASE_URL at a new one)"
            )
        for name in ("requester", "ticket", "ticket_event", "outbox"):
            for start in range(0, len(rows[name]), 5000):
                await connection.execute(insert(_MODELS[name]), rows[name][start : start + 5000])
        await search.index_subjects(connection)  # findable like tickets the dispatcher opens
        if connection.dialect.name == "postgresql":  # explicit ids: move the sequences on
            for name in ("requester", "ticket"):
                await connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    return len(tickets)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo`` to a parent parser's subcommands."""
    demo = subparsers.add_parser(
        "demo",
        help="fill an empty store with a realistic, reproducible ticket history",
        description="Invent MONTHS months of tickets (several organisations, email and Slack, "
        "French and English, incidents of every priority, pauses, breaches, reopenings, agent "
        "decisions) ending at --until (never after now), for trying `sla show` and `report`. "
        "Same --seed and --until (in the past), same history. Refuses a store that already has "
        "tickets.",
        epilog="example:\n  python -m bot migrate && python -m bot demo --months 3 --seed 1\n"
        "  python -m bot report --month 2026-10 --out var/reports",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--months", type=int, default=3, help="months of history (default: 3)")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    demo.add_argument(
        "--per-month", type=int, default=300, metavar="N", help="tickets a month (default: 300)"
    )
    demo.add_argument(
        "--until",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the history ends at this day's 17:00, or now if that is earlier (default: today; "
        "a later day is refused)",
    )
    demo.set_defaults(handler=run_demo)


def end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(17), tzinfo=zone).astimezone(UTC)


def history_end(day: date | None, now: datetime, zone: ZoneInfo) -> datetime:
    """Where the history stops: ``day`` (default: today) at 17:00, never after ``now`` (a demo
    ticket opened this afternoon while it is still morning would be a ticket from the future).
    `ValueError` for a day after today."""
    today = now.astimezone(zone).date()
    if day is not None and day > today:
        raise ValueError(
            f"--until {day.isoformat()} is in the future (today is {today.isoformat()}): "
            "the demo invents the past only"
        )
    return min(end_of(day or today, zone), now)


def run_demo(
    args: argparse.Namespace,
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Handler of ``demo``: 0; 1 with a message (store not empty or not migrated); 2 for bad
    input. ``now`` (default: the clock) bounds the history."""
    from bot.organisations import load_directory
    from bot.settings import Settings
    from bot.sla.policy import load_policy
    from bot.store.db import open_store

    stdout, stderr = out or sys.stdout, err or sys.stderr
    if args.months < 1 or args.per_month < 1:
        print("error: --months and --per-month must be at least 1", file=stderr)
        return 2
    try:
        settings = Settings()
        policy = load_policy()
        directory = load_directory(settings.organisations_file)
        zone = ZoneInfo(policy.time_zone)
        try:
            until = history_end(args.until, now or datetime.now(UTC), zone)
        except ValueError as exc:
            print(f"error: {exc}", file=stderr)
            return 2
        tickets = plan_history(
            directory,
            policy,
            seed=args.seed,
            months=args.months,
            per_month=args.per_month,
            until=until,
        )

        async def write() -> int:
            engine = await open_store(settings.sqlalchemy_url)
            try:
                return await write_history(engine, tickets)
            finally:
                await engine.dispose()

        written = asyncio.run(write())
    except GuichetError as exc:
        print(f"error: {exc}", file=stderr)
        return 1
    first, last = tickets[0].created_at.astimezone(zone), until.astimezone(zone)
    print(
        f"demo: {written} tickets from {first:%Y-%m-%d} to {last:%Y-%m-%d %H:%M} "
        f"(seed {args.seed})",
        file=stdout,
    )
    return 0
