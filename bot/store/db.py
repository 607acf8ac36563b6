"""Engine, sessions and migrations. SQLite runs in WAL mode with a busy timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import ConfigError

if TYPE_CHECKING:  # Alembic is imported only by the commands that migrate or check the schema
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

Sessions = async_sessionmaker[AsyncSession]


def create_engine(url: str) -> AsyncEngine:
    """An async engine; for SQLite, creates the folder and turns on WAL and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection, shared in turn: SQLite has one writer at a time anyway, and waiting in
        # the pool is far cheaper than SQLite's busy-wait sleeps between competing connections.
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode (only an OS crash can lose the
    # last commits); see https://www.sqlite.org/pragma.html#pragma_synchronous
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def storable_text(value: str) -> str:
    """`value` without NUL characters, each replaced by U+FFFD: PostgreSQL's text cannot hold
    them (SQLite's can); replaced on every engine so that both store the same text."""
    return value.replace("\x00", "\ufffd")


def sessions(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database to the newest schema. Synchronous: call it outside the event loop."""
    engine = create_engine(url)

    async def upgrade() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, alembic_config(url))
        await engine.dispose()

    asyncio.run(upgrade())


def _upgrade(connection: Connection, config: Config) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def check_schema(engine: AsyncEngine, url: str) -> None:
    """Raise `ConfigError` unless the database is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    if current != head:
        raise ConfigError(
            f"the database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `python -m bot migrate` first"
        )


async def open_store(url: str) -> AsyncEngine:
    """An engine on a database known to be at the newest schema (else `ConfigError`)."""
    engine = create_engine(url)
    try:
        await check_schema(engine, url)
    except BaseException:
        await engine.dispose()
        raise
    return engine
