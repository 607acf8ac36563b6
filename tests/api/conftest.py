from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from tests.api.helpers import Api, client
from tests.conftest import running_service


@pytest.fixture
async def api(migrated: Settings) -> AsyncIterator[Api]:
    async with running_service(migrated) as url:
        async for made in client(url):
            yield made
