"""The store's JSON columns: written and read by orjson, by the standard library where orjson
refuses, so no value fails that stored before and every stored value stays readable."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import select

from bot.store.db import Sessions
from bot.store.json_text import dumps, loads
from bot.store.models import Outbox
from bot.tickets.outbox import Audience, NoticeKind

ODD: dict[str, Any] = {
    "lone surrogate": "\ud83d",  # a chat's JSON may escape half of an emoji
    "beyond 64 bits": 2**70,
    "nested": {"é": ["à", 1.5, None, True]},
}


def test_what_orjson_refuses_is_written_and_read_as_before() -> None:
    for key, value in ODD.items():
        assert loads(dumps({key: value})) == {key: value}
    assert loads(dumps({1: "a"})) == {"1": "a"}  # as json.dumps writes it
    assert loads(json.dumps(ODD)) == ODD  # text the standard library wrote


def _row(key: str, payload: dict[str, Any]) -> Outbox:
    return Outbox(
        key=key,
        kind=NoticeKind.ACK,
        audience=Audience.REQUESTER,
        channel="email",
        recipient="ana@client.example",
        payload=payload,
        status="pending",
        next_attempt_at=datetime(2026, 12, 1, tzinfo=UTC),
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


async def test_a_store_keeps_odd_values_and_reads_older_text(store: Sessions) -> None:
    async with store() as session:
        session.add(_row("odd", ODD))
        session.add(_row("older", {}))
        await session.commit()
        # A row written before orjson: the standard library's spaces and \u escapes.
        older = json.dumps({"subject": "Re: écran", "n": [1, 2]})
        connection = await session.connection()
        await connection.execute(
            text("UPDATE outbox SET payload = :p WHERE key = 'older'"), {"p": older}
        )
        await session.commit()
    async with store() as session:
        rows = {r.key: r.payload for r in (await session.exec(select(Outbox))).all()}
    assert rows == {"odd": ODD, "older": {"subject": "Re: écran", "n": [1, 2]}}
