"""Inserting rows that another worker may have just inserted: the insert skips what already
exists under the unique `key` (`ON CONFLICT DO NOTHING`, on SQLite and PostgreSQL alike), so
two workers making the same requester never fail each other's batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_new(
    session: AsyncSession,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, object]],
    *,
    key: str,
) -> None:
    """Insert `rows` into `model`'s table, skipping those whose `key` is taken (the caller
    commits, and reads the rows back if it needs their ids)."""
    if not rows:
        return
    connection = await session.connection()
    table = SQLModel.metadata.tables[str(model.__tablename__)]
    values = [dict(r) for r in rows]
    if connection.dialect.name == "postgresql":
        pg = postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
        await connection.execute(pg, values)
    else:
        lite = sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
        await connection.execute(lite, values)
