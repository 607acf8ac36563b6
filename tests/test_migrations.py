"""The migrations build exactly the schema the models describe (no drift, no forgotten table), on
SQLite and on PostgreSQL, from an empty database; and every one of them goes down and up again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel, select

from bot.store import search
from bot.store.db import alembic_config, create_engine, migrate, sessions
from bot.store.models import Ticket
from tests.servers.postgres import Postgres

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    return not (kind == "table" and search.is_search_table(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each engine."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    postgres: Postgres = request.getfixturevalue("postgres")
    return postgres.url(postgres.create_database())


def _drift(sync: Connection) -> list[object]:
    context = MigrationContext.configure(sync, opts={"compare_type": True, "include_name": _ours})
    return list(compare_metadata(context, SQLModel.metadata))


async def drift(url: str) -> list[object]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        found = await connection.run_sync(_drift)
    await engine.dispose()
    return found


async def _down_and_up(url: str, before_search: Callable[[Connection], None]) -> None:
    def run(sync: Connection) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = sync
        command.downgrade(config, "base")
        command.upgrade(config, "0009")
        before_search(sync)
        command.upgrade(config, "head")

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run)
    await engine.dispose()


@pytest.fixture
def migrated_empty(empty: str) -> str:
    migrate(empty)  # outside the event loop, as `python -m bot migrate` does
    return empty


async def test_migrated_schema_matches_models(migrated_empty: str) -> None:
    assert await drift(migrated_empty) == []


async def test_every_migration_goes_down_and_up_again(migrated_empty: str) -> None:
    """Down to nothing and up again; a ticket already in the store when the search index is
    made (migration 0010) is findable by its subject and by what its requester wrote."""
    await _down_and_up(migrated_empty, before_search=_a_ticket_with_a_message)
    assert await drift(migrated_empty) == []
    engine = create_engine(migrated_empty)
    async with sessions(engine)() as session:
        for query, expected in (("ecran", 1), ("imprimante bloquee", 1), ("clavier", 0)):
            found = await session.exec(select(Ticket.id).where(search.matching(session, query)))
            assert len(found.all()) == expected, query
    await engine.dispose()


def _a_ticket_with_a_message(sync: Connection) -> None:
    """A ticket and its inbound message, written at migration 0009's schema."""
    sync.execute(
        text(
            "INSERT INTO requester (id, address, name, organisation, language, created_at) "
            "VALUES (1, 'personne@msss.example', 'Personne', 'msss', 'fr', :at)"
        ),
        {"at": NOW},
    )
    sync.execute(
        text(
            "INSERT INTO ticket (id, number, status, kind, severity, channel, language, subject,"
            " requester_id, organisation, created_at, updated_at) VALUES (1, 'CSC-000001',"
            " 'open', 'incident', 'P3', 'email', 'fr', 'Écran noir', 1, 'msss', :at, :at)"
        ),
        {"at": NOW},
    )
    sync.execute(
        text(
            "INSERT INTO message (direction, channel, state, source, source_ref, sha256, raw,"
            " ticket_id, sender, subject, body, received_at) VALUES ('in', 'email', 'processed',"
            " 'folder', 'a.eml', 'x', :raw, 1, 'personne@msss.example', 'Écran noir',"
            " 'Et l''imprimante est bloquée.', :at)"
        ),
        {"raw": b"", "at": NOW},
    )
