"""Engine, sessions and migrations. SQLite runs in WAL mode with a busy timeout.

A database that cannot be used now (PostgreSQL down, restarting, a connection cut; SQLite
locked) is raised as `sqlalchemy.exc.OperationalError` on both: that is what the service's
loops wait out and retry (`bot.store.unavailable`), never a reason to give a message up.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import ConfigError
from bot.store import json_text

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
        if parsed.get_driver_name() == "aiosqlite":  # one trip to its thread per statement
            from bot.store import sqlite

            parsed = parsed.set(drivername=sqlite.DRIVER)
        # One connection, shared in turn: SQLite has one writer at a time anyway, and waiting in
        # the pool is far cheaper than SQLite's busy-wait sleeps between competing connections.
        engine = create_async_engine(
            parsed,
            connect_args={"timeout": 30},
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            json_serializer=json_text.dumps,
            json_deserializer=json_text.loads,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        pool_pre_ping=True,
        json_serializer=json_text.dumps,
        json_deserializer=json_text.loads,
    )
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "handle_error", _unreachable, retval=True)
    return engine


def _connect(dialect: Dialect, _record: object, cargs: Any, cparams: Any) -> Any:
    """Connect as the dialect would; a server that cannot be reached (refused, timed out, no
    such host) raised as the DB-API's OperationalError, where asyncpg raises the socket's own
    error, which SQLAlchemy would let through as it is."""
    dbapi: Any = dialect.loaded_dbapi
    try:
        return dbapi.connect(*cargs, **cparams)
    except OSError as exc:
        raise dbapi.OperationalError(f"{type(exc).__name__}: {exc}") from exc


_LOST_STATES = ("08", "57P", "53300")
"""SQLSTATEs of a server that cannot be used now: connection exceptions (class 08), operator
intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now: starting up
or shutting down), too many connections."""


def _unreachable(context: ExceptionContext) -> BaseException | None:
    """A PostgreSQL server that cannot be reached or went away, as `OperationalError`.

    The DB-API (PEP 249) files "unexpected disconnect, data source not found" under
    OperationalError, and psycopg does so; asyncpg's adapter does not: a refused connection is
    a bare `ConnectionRefusedError` (`_connect` says it as OperationalError), a connection cut
    or a server shutting down a plain `DBAPIError`. Said the same way here, the loops that wait
    out an unavailable store see one type whatever the driver. The pool is dropped with it (its
    other connections are as dead) and the statement's parameters (a message's bytes) stay out
    of the error's text."""
    original = context.original_exception
    if not isinstance(original, Exception):  # a cancellation (or exit) stays what it is
        return None
    state = getattr(original, "sqlstate", None)
    lost = isinstance(original, OSError | context.dialect.loaded_dbapi.OperationalError) or (
        isinstance(state, str) and state.startswith(_LOST_STATES)
    )
    if not (lost or context.is_disconnect):
        return None
    context.is_disconnect = True
    if context.is_pre_ping:  # the pool reconnects by itself: nothing to raise
        return None
    return OperationalError(
        context.statement,
        context.parameters,
        original,
        hide_parameters=True,
        connection_invalidated=True,
    )


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
