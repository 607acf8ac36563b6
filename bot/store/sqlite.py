"""SQLite through aiosqlite, each statement in one trip to aiosqlite's thread.

SQLAlchemy's aiosqlite adapter makes four trips per statement (make a cursor, execute, fetch,
close), each a hand-over to aiosqlite's thread and back to the event loop. With one connection
shared in turn (`bot.store.db`), every other task waits through those trips: in a storm they
were most of the time the loop stood idle. Here the cursor is made, used, read and closed in
one function run on that thread. Everything else (transactions, errors, the connection's own
thread) is SQLAlchemy's and aiosqlite's as they are.

This reaches into aiosqlite's `Connection._execute` and `_conn` (aiosqlite has no public way
to run a function on its thread); the versions are pinned in requirements.lock, and every test
that touches the store runs through it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)

DRIVER = "sqlite+guichet"
"""The URL scheme `bot.store.db.create_engine` gives a `sqlite+aiosqlite` URL."""

_Outcome = tuple[Any, list[Any], int, int | None]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: the whole statement, with what the cursor says of it."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _OneTrip:
    """What SQLAlchemy's adapter expects of an aiosqlite cursor, one trip per statement."""

    __slots__ = ("_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, connection: Any) -> None:
        self._connection = connection  # aiosqlite.Connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> _OneTrip:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._rows = []

    async def _trip(self, sql: str, parameters: Any, many: bool) -> _OneTrip:
        connection = self._connection
        outcome: _Outcome = await connection._execute(_run, connection._conn, sql, parameters, many)
        self.description, self._rows, self.rowcount, self.lastrowid = outcome
        return self

    async def execute(self, sql: str, parameters: Any = ()) -> _OneTrip:
        return await self._trip(sql, parameters, False)

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> _OneTrip:
        return await self._trip(sql, parameters, True)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return _OneTrip(connection)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        made = super().connect(*arg, **kw)
        made.__class__ = _Connection  # the same object, with the one-trip cursor
        return made  # type: ignore[return-value]


class Dialect(SQLiteDialect_aiosqlite):
    driver = "guichet"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _DBAPI:
        return _DBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register("sqlite.guichet", __name__, "Dialect")
