"""Writing a batch of rows in one statement per table.

The ORM inserts rows one statement each whenever it must read back their ids, and on SQLite it
always must (`INSERT … RETURNING` order is not guaranteed there, so SQLAlchemy does not batch
it). A storm writes thousands of tickets, log entries and outbox rows: these helpers insert them
with one statement per table and batch, the ids read back by a unique key when they are needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, inspect
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def _table(model: type[SQLModel]) -> Table:
    table = SQLModel.metadata.tables[str(model.__tablename__)]
    return table


def _row(obj: SQLModel, table: Table) -> dict[str, Any]:
    """The object's column values, its id left to the database."""
    return {c.key: getattr(obj, c.key) for c in table.columns if not c.primary_key}


async def insert_returning_ids(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]], *, key: str
) -> list[int]:
    """Insert rows of `model` given as column values (no id; each with a distinct `key` value)
    in one statement; their new ids, in the order given. No object is made: read the rows back
    to work on them (the caller commits)."""
    if not rows:
        return []
    table = _table(model)
    statement = insert(table).returning(table.c.id, table.c[key])
    result = await (await session.connection()).execute(statement, list(rows))
    ids = {found_key: found_id for found_id, found_key in result.all()}
    return [ids[row[key]] for row in rows]


async def insert_rows(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows given as column values (no id) in one statement (the caller commits)."""
    if rows:
        await (await session.connection()).execute(insert(_table(model)), rows)


async def update_rows(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    """Update rows of `model` by id, given as column values with their `id` (each row the same
    columns), in one statement (the caller commits). No object is loaded or changed: an object
    of these rows already in the session keeps its old values."""
    if not rows:
        return
    table = _table(model)
    keys = [k for k in rows[0] if k != "id"]
    statement = (
        table.update()
        .where(table.c.id == bindparam("_id"))
        .values({k: bindparam(f"_{k}") for k in keys})
    )
    params = [{f"_{k}": v for k, v in row.items()} for row in rows]
    await (await session.connection()).execute(statement, params)


async def insert_pending(session: AsyncSession, *models: type[SQLModel]) -> None:
    """Insert the session's pending objects of `models` with one statement per model, in the
    order they were added, and take them out of the session: for append-only rows (log
    entries, outbox rows, attachments) that nothing in the transaction reads back; their ids
    stay unknown to the objects (the caller commits)."""
    for model in models:
        pending = sorted(
            (o for o in session.new if type(o) is model),
            key=lambda o: inspect(o).insert_order,
        )
        if not pending:
            continue
        table = _table(model)
        rows = [_row(o, table) for o in pending]
        for obj in pending:
            session.expunge(obj)
        await (await session.connection()).execute(insert(table), rows)
