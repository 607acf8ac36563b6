"""The migrations build exactly the schema the models describe (no drift, no forgotten table)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401
from bot.settings import Settings
from bot.store.db import create_engine
from bot.store.search import is_search_table


def _ours(name: str | None, kind: str, _parents: object) -> bool:
    return not (kind == "table" and is_search_table(name))


async def test_migrated_schema_matches_models(migrated: Settings) -> None:
    engine = create_engine(migrated.sqlalchemy_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"compare_type": True, "include_name": _ours}
                ),
                SQLModel.metadata,
            )
        )
    await engine.dispose()
    assert diff == []
