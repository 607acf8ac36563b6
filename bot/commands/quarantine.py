"""`python -m bot quarantine list|reprocess ID`: messages kept aside, and a second chance."""

from __future__ import annotations

import json
import sys
from typing import Any

from sqlmodel import col, select, update

from bot.app import build
from bot.settings import Settings
from bot.store.db import open_store, sessions
from bot.store.models import Direction, Message, MessageState, Ticket
from intake.mail.parse import read_headers


async def list_quarantine(settings: Settings, *, as_json: bool) -> int:
    engine = await open_store(settings.sqlalchemy_url)
    try:
        async with sessions(engine)() as session:
            rows = (
                await session.exec(
                    select(Message)
                    .where(
                        Message.direction == Direction.IN, Message.state == MessageState.QUARANTINED
                    )
                    .order_by(col(Message.id))
                )
            ).all()
    finally:
        await engine.dispose()
    items = [_describe(row) for row in rows]
    if as_json:
        print(json.dumps(items, ensure_ascii=False, indent=1))
    elif not items:
        print("nothing in quarantine")
    else:
        for item in items:
            print(
                f"{item['id']:>7}  {item['received_at'][:19]}  {item['reason']:<18} "
                f"{item['source']:<16} {item['subject'][:50]}"
            )
            print(f"         {item['detail'][:110]}")
    return 0


def _describe(row: Message) -> dict[str, Any]:
    subject = row.subject
    if not subject:
        headers = read_headers(row.raw)
        subject = headers.get("subject") if headers is not None else ""
    return {
        "id": row.id or 0,
        "received_at": row.received_at.isoformat(),
        "source": row.source,
        "ref": row.source_ref,
        "reason": row.error_kind or "",
        "detail": row.error_detail or "",
        "subject": " ".join(subject.split()),
        "size": len(row.raw),
    }


async def reprocess(settings: Settings, message_ids: list[int]) -> int:
    """Put quarantined messages back in the flow and process them now."""
    parts = await build(settings)
    status = 0
    try:
        async with parts.sessions() as session:
            found = (
                await session.exec(
                    select(Message.id).where(
                        col(Message.id).in_(message_ids), Message.state == MessageState.QUARANTINED
                    )
                )
            ).all()
            missing = sorted(set(message_ids) - {i for i in found if i is not None})
            await session.exec(
                update(Message)
                .where(col(Message.id).in_(found))
                .values(
                    state=MessageState.RECEIVED,
                    error_kind=None,
                    error_detail=None,
                    lease_owner=None,  # free for the next dispatcher, whoever read it before
                    lease_until=None,
                )
            )
            await session.commit()
        for message_id in missing:
            print(
                f"{message_id}: not in quarantine (see `python -m bot quarantine list`)",
                file=sys.stderr,
            )
            status = 2
        while await parts.dispatcher.process_pending() > 0:
            pass
        async with parts.sessions() as session:
            for message_id in [i for i in found if i is not None]:
                row = await session.get_one(Message, message_id)
                number = ""
                if row.ticket_id is not None:
                    number = (await session.get_one(Ticket, row.ticket_id)).number or ""
                outcome = (
                    f"{row.state} ({row.error_kind}: {row.error_detail})"
                    if row.error_kind
                    else row.state
                )
                print(f"{message_id}: {outcome}" + (f" → {number}" if number else ""))
                if row.state == MessageState.QUARANTINED:
                    status = status or 1
        await parts.outbox.deliver_due()
    finally:
        await parts.engine.dispose()
    return status
