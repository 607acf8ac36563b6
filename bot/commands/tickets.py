"""`python -m bot tickets`: the tickets as a table, or as one JSON array.

Tickets whose severity was raised on ambiguous evidence and still await an agent come first,
marked "à confirmer / to confirm" (`--to-confirm` lists only them); then the newest first."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import case
from sqlmodel import col, select

from bot.dispatch.opening import awaiting_confirmation, awaits_confirmation
from bot.settings import Settings
from bot.store.db import open_store, sessions
from bot.store.models import Requester, Ticket
from bot.terminal import printable, unfiltered

TO_CONFIRM = "à confirmer / to confirm"


async def list_tickets(
    settings: Settings, *, as_json: bool, limit: int, to_confirm: bool = False
) -> int:
    engine = await open_store(settings.sqlalchemy_url)
    try:
        async with sessions(engine)() as session:
            pending = awaiting_confirmation()
            query = (
                select(Ticket, Requester)
                .join(Requester, col(Requester.id) == col(Ticket.requester_id))
                .order_by(case((pending, 0), else_=1), col(Ticket.id).desc())
            )
            if to_confirm:
                query = query.where(pending)
            if limit > 0:
                query = query.limit(limit)
            rows = (await session.exec(query)).all()
    finally:
        await engine.dispose()
    if as_json:
        print(json.dumps([_as_json(t, r) for t, r in rows], ensure_ascii=False, indent=1))
        return 0
    table = Table()
    for name in ("number", "status", "kind", "sev.", "level", "team", "org.", "lang"):
        table.add_column(name, no_wrap=True)
    table.add_column("subject", overflow="ellipsis", no_wrap=True, max_width=60)
    for ticket, requester in rows:
        cells = (
            ticket.number or "",
            f"{ticket.status} · {TO_CONFIRM}" if awaits_confirmation(ticket) else ticket.status,
            ticket.kind or "–",
            ticket.severity or "–",
            ticket.level or "–",
            ticket.team or "–",
            requester.organisation,
            ticket.language,
            ticket.subject[:60],
        )
        # Cleaned here: rich writes past the CLI's printable stream (bot.terminal); as `Text`,
        # a subject like "[blink]" stays text instead of being read as rich markup.
        table.add_row(*(Text(printable(cell)) for cell in cells))
    # Piped output is not cut to 80 columns: scripts and `grep` see whole numbers and subjects.
    out = unfiltered(sys.stdout)
    Console(file=out, width=None if out.isatty() else 200).print(table)
    return 0


def _as_json(ticket: Ticket, requester: Requester) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "kind": ticket.kind,
        "severity": ticket.severity,
        "level": ticket.level,
        "team": ticket.team,
        "channel": ticket.channel,
        "language": ticket.language,
        "subject": ticket.subject,
        "requester": requester.address,
        "organisation": requester.organisation,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "to_confirm": awaits_confirmation(ticket),
        "proposal": ticket.triage,
    }
