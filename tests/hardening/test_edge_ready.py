"""Readiness apart from liveness (issue #14, operator trust): `/healthz` says the process is
alive; `/readyz` answers 503, naming the part and why, while the classifier loads or while mail
cannot be delivered, and 200 once every part is ready."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.app import serve
from bot.dispatch.incoming import Read
from bot.settings import Settings
from bot.triager import LanguageOnlyTriager, Rows
from nlp import Triage, TriageInput
from tests.conftest import eventually
from tests.mail import drop, make_email


class SlowModel:
    """A `Triager` whose model loads when the test says so."""

    def __init__(self) -> None:
        self.loaded = asyncio.Event()
        self._inner = LanguageOnlyTriager()

    async def triage(self, items: Sequence[TriageInput]) -> list[Triage]:
        return await self._inner.triage(items)

    async def warm_up(self) -> None:
        await self.loaded.wait()

    async def read(self, rows: Rows, domain: str, attachment_cap: int) -> list[Read]:
        return await self._inner.read(rows, domain, attachment_cap)

    def close(self) -> None:
        return None


@dataclass
class Running:
    base: str
    http: aiohttp.ClientSession

    async def get(self, path: str) -> tuple[int, dict[str, Any]]:
        async with self.http.get(self.base + path) as response:
            return response.status, await response.json(content_type=None)


@contextlib.asynccontextmanager
async def _serve(settings: Settings, model: SlowModel) -> AsyncIterator[Running]:
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(settings, on_ready=ready.append, stop=stop, triager=model))
    await eventually(lambda: ready or task.done())
    if task.done():
        task.result()
    async with aiohttp.ClientSession() as http:
        yield Running(ready[0].split()[4], http)
    stop.set()
    await asyncio.wait_for(task, 20)


@pytest.fixture
def model() -> SlowModel:
    return SlowModel()


@pytest.fixture
async def service(migrated: Settings, model: SlowModel) -> AsyncIterator[Running]:
    async with _serve(migrated, model) as running:
        yield running


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_not_ready_while_the_classifier_loads(service: Running, model: SlowModel) -> None:
    status, body = await service.get("readyz")
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["classifier"] == {"ok": False, "detail": "loading"}
    assert body["checks"]["store"]["ok"] is True
    # alive all the same
    assert (await service.get("healthz"))[0] == 200

    model.loaded.set()

    async def ready() -> dict[str, Any] | None:
        status, body = await service.get("readyz")
        return body if status == 200 else None

    body = await eventually(ready)
    assert body["status"] == "ready"
    assert body["checks"]["classifier"]["ok"] is True
    assert body["checks"]["connector:folder:inbox"]["ok"] is True


async def test_not_ready_while_mail_cannot_be_delivered(
    migrated: Settings, model: SlowModel
) -> None:
    settings = migrated.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": _closed_port(), "smtp_timeout_seconds": 2}
    )
    model.loaded.set()
    async with _serve(settings, model) as running:
        drop(settings.inbox, "a.eml", make_email())

        async def failing(running: Running = running) -> dict[str, Any] | None:
            status, body = await running.get("readyz")
            return body if status == 503 and not body["checks"]["outbox:email"]["ok"] else None

        body = await eventually(failing, timeout=30)
        assert body["status"] == "degraded"
        assert "attempt" in body["checks"]["outbox:email"]["detail"]
        assert body["checks"]["classifier"]["ok"] is True
        assert (await running.get("healthz"))[0] == 200
