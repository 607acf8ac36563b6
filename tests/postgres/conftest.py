"""The tests here run on PostgreSQL: `migrated` (and so `store`, `api`, the running service) is a
fresh database copied from the session's migrated template instead of a SQLite file."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.api.conftest import api  # noqa: F401


@pytest.fixture
def migrated(settings: Settings, postgres_url: str) -> Settings:
    return settings.model_copy(update={"database_url": postgres_url})
