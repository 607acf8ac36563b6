"""The migrations build exactly the schema the models describe (no drift, no forgotten table), on
SQLite and on PostgreSQL, from an empty database; and every one of them goes down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401
from bot.store.db import alembic_config, create_engine, migrate
from bot.store.search import is_search_table
from tests.servers.postgres import Postgres


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    return not (kind == "table" and is_search_table(name))


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


async def _down_and_up(url: str) -> None:
    def run(sync: Connection) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = sync
        command.downgrade(config, "base")
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
    await _down_and_up(migrated_empty)
    assert await drift(migrated_empty) == []
