"""Hostile bodies on the outage API of the running service (issue #14, item 12): every one is a
4xx that names the problem, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from tests.conftest import running_service

TOKEN = "agent-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
PATHS = ["api/outages", "api/outages/PAN-000001/updates", "api/outages/PAN-000001/resolve"]


@pytest.fixture
async def base(migrated: Settings) -> AsyncIterator[str]:
    settings = migrated.model_copy(update={"outage_api_tokens": [SecretStr(TOKEN)]})
    async with running_service(settings) as url:
        yield url


async def _post(base: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(base + path, data=body, headers=AUTH) as response,
    ):
        answer = await response.json(content_type=None)
        return response.status, answer


HOSTILE: list[tuple[str, bytes, int]] = [
    ("deeply nested array", b"[" * 100_000 + b"]" * 100_000, 400),
    ("deeply nested object", b'{"a":' * 20_000 + b"1" + b"}" * 20_000, 400),
    ("nested inside a field", b'{"title_fr": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    ("array", b"[1, 2]", 400),
    ("string", b'"panne"', 400),
    ("number", b"5", 400),
    ("null", b"null", 400),
    ("not UTF-8", b'{"title_fr": "\xff\xfe"}', 400),
    ("not JSON", b"title_fr=panne", 400),
    ("huge", b'{"title_fr": "' + b"a" * (2 * 1024 * 1024) + b'"}', 413),
]


@pytest.mark.parametrize("path", PATHS, ids=["declare", "update", "resolve"])
async def test_hostile_bodies_get_a_4xx_naming_the_body(base: str, path: str) -> None:
    outcomes = {}
    for name, body, _ in HOSTILE:
        status, answer = await _post(base, path, body)
        outcomes[name] = (status, answer.get("field"))
        assert answer.get("error"), (name, answer)
    assert outcomes == {name: (status, "body") for name, _, status in HOSTILE}
