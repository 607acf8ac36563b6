"""Alembic environment: runs on the connection `bot.store.db.migrate` hands over."""

from alembic import context
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.search import is_search_table

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m bot migrate`")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # FTS5's virtual table and its shadow tables are made by migration 0010, not by models.
    include_name=lambda name, kind, _parents: not (kind == "table" and is_search_table(name)),
)
with context.begin_transaction():
    context.run_migrations()
