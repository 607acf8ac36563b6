"""`python -m bot export-corrections`: agents' overrides of the classifier, as training lines.

Each line has the format of `nlp/data/corpus.*.jsonl` (id, subject, text, channel, kind,
severity, level, team, language, factors) with the labels as the agents left them, plus `proposed` (what the model
said) and `corrected` (which labels an agent changed). Personal details in the text (addresses,
phone and social insurance numbers) are masked unless `--keep-personal` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlmodel import col, select

from bot.settings import Settings
from bot.store.db import open_store, sessions
from bot.store.models import Direction, Message, Ticket, TicketEvent
from bot.tickets.log import EventType

LABELS = ("kind", "severity", "level", "team")
_DECISIONS = (EventType.SEVERITY_SET, EventType.LEVEL_SET, EventType.TEAM_SET)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SIN = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{3}\b")
_PHONE = re.compile(r"(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b")


def mask(text: str) -> str:
    """Addresses, phone numbers and SIN-like numbers replaced by placeholders."""
    text = _EMAIL.sub("<courriel>", text)
    text = _PHONE.sub("<téléphone>", text)
    return _SIN.sub("<nas>", text)


def correction(
    ticket: Ticket, first: Message | None, *, keep_personal: bool = False
) -> dict[str, Any] | None:
    """One training line, or None when the agents left the proposal as it was."""
    proposed = {k: (ticket.triage or {}).get(k) for k in LABELS}
    final: dict[str, Any] = {k: getattr(ticket, k) for k in LABELS}
    changed = [k for k in LABELS if final[k] != proposed[k]]
    if not changed or first is None:
        return None
    text, subject = first.body, first.subject
    if not keep_personal:
        text, subject = mask(text), mask(subject)
    return {
        "id": ticket.number,
        "subject": subject,
        "text": text,
        "channel": "email" if ticket.channel == "email" else "chat",
        **final,
        "language": ticket.language,
        "factors": {},  # severity factors are the patterns' business, not the trained model's
        "proposed": proposed,
        "corrected": changed,
        "model": ticket.model_version,
    }


async def export(
    settings: Settings, out: TextIO, *, since: datetime | None, keep_personal: bool
) -> int:
    engine = await open_store(settings.sqlalchemy_url)
    count = 0
    try:
        async with sessions(engine)() as session:
            decided = select(TicketEvent.ticket_id).where(
                col(TicketEvent.type).in_(_DECISIONS), TicketEvent.actor != "bot"
            )
            if since is not None:
                decided = decided.where(TicketEvent.at >= since)
            query = select(Ticket).where(col(Ticket.id).in_(decided)).order_by(col(Ticket.id))
            for ticket in (await session.exec(query)).all():
                first = (
                    await session.exec(
                        select(Message)
                        .where(Message.ticket_id == ticket.id, Message.direction == Direction.IN)
                        .order_by(col(Message.id))
                        .limit(1)
                    )
                ).first()
                line = correction(ticket, first, keep_personal=keep_personal)
                if line is not None:
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                    count += 1
    finally:
        await engine.dispose()
    print(f"{count} correction(s) exported", file=sys.stderr)
    return 0


def _since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use 2026-11-01)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export-corrections",
        help="write the agents' overrides of the classifier as training examples (JSON lines)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--since", type=_since, metavar="DATE", help="decisions from this date")
    parser.add_argument(
        "--output", "-o", metavar="FILE", default="-", help="output file (default: - = stdout)"
    )
    parser.add_argument(
        "--keep-personal",
        action="store_true",
        help="keep addresses and numbers in the text (default: masked)",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.output == "-":
        return asyncio.run(
            export(settings, sys.stdout, since=args.since, keep_personal=args.keep_personal)
        )
    with open(args.output, "w", encoding="utf-8") as out:
        return asyncio.run(
            export(settings, out, since=args.since, keep_personal=args.keep_personal)
        )
