"""The ticket log's reader: each entry an integration hears of is queued once per subscribed
endpoint, with the cursor, in one commit; read again, or by two readers at once, nothing is
queued twice; internal notes and the watchers' memories are never queued; a hole in the ids is
waited for before it is passed over."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text
from sqlmodel import col, select

from bot.settings_webhooks import WebhookEntry, WebhookEvent
from bot.store.db import Sessions, alembic_config, create_engine
from bot.store.models import LogCursor, Outbox, Ticket
from bot.tickets.labels import Language, Status
from bot.tickets.log import EventType, entry, move, record
from bot.webhooks.events import body, event_of
from bot.webhooks.watcher import CURSOR, Holes, WebhookWatcher
from intake.message import Channel
from tests.api.helpers import ticket

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SECRET = "k3y-for-tests-only-0123456789abcdef0123"


def endpoint(name: str, *events: WebhookEvent) -> WebhookEntry:
    return WebhookEntry.model_validate(
        {"name": name, "url": f"https://{name}.example/hook", "secret": SECRET,
         "events": [e.value for e in events]}
    )  # fmt: skip


async def changes(store: Sessions, number: str) -> None:
    """An opening, a move, an internal note, a public reply, a watcher's memory."""
    async with store() as session:
        made = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        record(session, made, NOW, EventType.OPENED, "bot", channel="email")
        record(session, made, NOW, EventType.PROPOSED, "bot", severity="P3")
        move(session, made, Status.IN_PROGRESS, "console:ana@itq.example", NOW)
        record(session, made, NOW, EventType.NOTE_ADDED, "console:ana@itq.example", text="dedans")
        record(session, made, NOW, EventType.AGENT_REPLY, "console:ana@itq.example", message=7)
        record(session, made, NOW, EventType.SLA_WARNING, "bot", target="restoration")
        await session.commit()


async def rows(store: Sessions) -> list[Outbox]:
    async with store() as session:
        return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


async def test_each_entry_is_queued_once_per_endpoint_with_the_cursor(store: Sessions) -> None:
    number = await ticket(store, "Imprimante", status=Status.NEW)
    every, opened = endpoint("every"), endpoint("opened", WebhookEvent.OPENED)
    watcher = WebhookWatcher(store, [every, opened], now=lambda: NOW)
    await changes(store, number)

    assert await watcher.catch_up() == 4  # every: opened, moved, replied; opened: opened
    assert await watcher.catch_up() == 0  # read again: nothing new
    found = await rows(store)
    assert [(r.recipient, r.payload["subject"]) for r in found] == [
        ("every", "ticket.opened"),
        ("opened", "ticket.opened"),
        ("every", "ticket.changed"),
        ("every", "ticket.changed"),
    ]
    bodies = [json.loads(r.payload["text"]) for r in found]
    assert [b["change"] and b["change"]["type"] for b in bodies] == [
        None, None, "status_changed", "agent_reply"
    ]  # fmt: skip
    assert bodies[2]["change"]["data"] == {"from": "new", "to": "in_progress"}
    assert bodies[3]["change"]["data"] == {}  # no message id, no text
    assert "dedans" not in str(bodies)
    assert all(r.channel == Channel.WEBHOOK and r.ticket_id is None for r in found)
    assert all(b["id"] == r.payload["message_id"] for b, r in zip(bodies, found, strict=True))
    async with store() as session:
        cursor = await session.get(LogCursor, CURSOR)
    assert cursor is not None and cursor.last_id == 6  # the memory was read past too


async def test_two_readers_at_once_queue_each_row_once(store: Sessions) -> None:
    number = await ticket(store, "Courriel", status=Status.NEW)
    await changes(store, number)
    hooks = [endpoint("every")]
    first = WebhookWatcher(store, hooks, now=lambda: NOW)
    second = WebhookWatcher(store, hooks, now=lambda: NOW)
    await asyncio.gather(first.catch_up(), second.catch_up())
    await asyncio.gather(first.catch_up(), second.catch_up())
    assert len(await rows(store)) == 3


async def test_a_cursor_moved_back_queues_nothing_twice_and_moves_on(store: Sessions) -> None:
    number = await ticket(store, "Réseau", status=Status.NEW)
    await changes(store, number)
    watcher = WebhookWatcher(store, [endpoint("every")], now=lambda: NOW)
    assert await watcher.catch_up() == 3
    async with store() as session:  # a backup of the cursor restored, say
        cursor = await session.get(LogCursor, CURSOR)
        assert cursor is not None
        cursor.last_id = 0
        await session.commit()
    async with store() as session:
        made = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        move(session, made, Status.RESOLVED, "console:ana@itq.example", NOW)
        await session.commit()
    assert await watcher.catch_up() == 1  # only the new move
    assert len(await rows(store)) == 4


async def test_entries_from_before_the_migration_are_not_announced(tmp_path: Path) -> None:
    """Migration 0012 starts the cursor at the end of the log already there."""

    def run(sync: Connection) -> int:
        config = alembic_config(url)
        config.attributes["connection"] = sync
        command.upgrade(config, "0011")
        sync.execute(
            text(
                "INSERT INTO requester (id, address, name, organisation, language, created_at)"
                " VALUES (1, 'personne@msss.example', 'Personne', 'msss', 'fr', :at)"
            ),
            {"at": NOW},
        )
        sync.execute(
            text(
                "INSERT INTO ticket (id, number, status, channel, language, subject,"
                " requester_id, organisation, created_at, updated_at) VALUES (1, 'CSC-000001',"
                " 'open', 'email', 'fr', 'Écran', 1, 'msss', :at, :at)"
            ),
            {"at": NOW},
        )
        for _ in range(3):
            sync.execute(
                text(
                    "INSERT INTO ticketevent (ticket_id, at, type, actor, data)"
                    " VALUES (1, :at, 'opened', 'bot', '{}')"
                ),
                {"at": NOW},
            )
        command.upgrade(config, "0012")
        return int(sync.execute(text("SELECT last_id FROM logcursor")).scalar_one())

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    async with engine.begin() as connection:
        assert await connection.run_sync(run) == 3
    await engine.dispose()


def test_a_merge_is_a_change_of_both_tickets_naming_the_other() -> None:
    into = entry(1, NOW, EventType.MERGED_INTO, "console:ana@itq.example", into="CSC-000002",
                 messages=[3, 4])  # fmt: skip
    joined = entry(2, NOW, EventType.MERGED_FROM, "console:ana@itq.example",
                   duplicate="CSC-000001", messages=[3, 4])  # fmt: skip
    kept = Ticket(id=2, number="CSC-000002", status=Status.OPEN, channel=Channel.EMAIL,
                  language=Language.FR, requester_id=1, organisation="msss", created_at=NOW,
                  updated_at=NOW)  # fmt: skip
    assert event_of(into) is event_of(joined) is WebhookEvent.CHANGED
    sent = json.loads(body("d-1", WebhookEvent.CHANGED, joined, kept))
    assert sent["change"]["data"] == {"duplicate": "CSC-000001"}  # no message ids
    assert json.loads(body("d-2", WebhookEvent.CHANGED, into, kept))["change"]["data"] == {
        "into": "CSC-000002"
    }


def test_a_hole_is_waited_for_then_passed_over() -> None:
    clock = [0.0]
    holes = Holes(grace=30, clock=lambda: clock[0])
    assert holes.ready(10, [11, 12, 13]) == 3
    assert holes.ready(10, [11, 13, 14]) == 1  # 12 may still commit
    assert holes.ready(11, [13, 14]) == 0
    clock[0] = 29
    assert holes.ready(11, [13, 14]) == 0
    clock[0] = 31  # 12 was rolled back
    assert holes.ready(11, [13, 14]) == 2
