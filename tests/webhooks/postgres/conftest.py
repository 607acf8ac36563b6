"""The webhook tests again on PostgreSQL: `migrated` (and so `store` and the running service) is
a fresh database copied from the session's migrated template."""

from __future__ import annotations

import pytest

from bot.settings import Settings


@pytest.fixture
def migrated(settings: Settings, postgres_url: str) -> Settings:
    return settings.model_copy(update={"database_url": postgres_url})
