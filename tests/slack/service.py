"""The real service (`serve`) with Slack configured, against the recording fake Web API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from bot.app import serve
from bot.settings import Settings
from bot.settings_slack import AgentEntry
from bot.store.db import Sessions
from bot.store.models import Ticket, TicketEvent
from bot.triager import Triager
from tests.conftest import eventually
from tests.servers.slack_api import FakeSlack, sign
from tests.slack.payloads import SECRET, block_actions_body, event_body, slash_body

TRIAGE = {"N1": "CN1", "N2": "CN2", "N3": "CN3"}
OUTAGE = "Le serveur de fichiers est en panne pour tout l'étage, personne ne peut travailler."


@dataclass
class Service:
    url: str
    fake: FakeSlack
    http: aiohttp.ClientSession
    store: Sessions
    settings: Settings

    async def post(
        self, body: str, content_type: str = "application/json", retry: int = 0
    ) -> tuple[int, str]:
        headers = {**sign(SECRET, body), "Content-Type": content_type}
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        async with self.http.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.text()

    async def event(self, event: dict[str, Any], event_id: str, retry: int = 0) -> None:
        status, _ = await self.post(event_body(event, event_id=event_id), retry=retry)
        assert status == 200

    async def click(self, action: dict[str, Any], **where: Any) -> tuple[int, str]:
        body = block_actions_body(action, response_url=f"{self.fake.base_url}/response/a", **where)
        return await self.post(body, "application/x-www-form-urlencoded")

    async def slash(self, text: str, user: str) -> str:
        body = slash_body(text, user=user, response_url=f"{self.fake.base_url}/response/c")
        status, answer = await self.post(body, "application/x-www-form-urlencoded")
        assert status == 200
        return str(json.loads(answer)["text"]) if answer else ""

    def posts(self, channel: str) -> list[dict[str, Any]]:
        return [
            c.params for c in self.fake.called("chat.postMessage") if c.params["channel"] == channel
        ]

    async def tickets(self) -> list[Ticket]:
        async with self.store() as session:
            return list((await session.exec(select(Ticket).order_by(col(Ticket.id)))).all())

    async def events(self, ticket: Ticket) -> list[TicketEvent]:
        async with self.store() as session:
            found = await session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(col(TicketEvent.id))
            )
            return list(found.all())


SLACK_SETTINGS: dict[str, Any] = {
    "slack_bot_token": SecretStr("xoxb-test"),
    "slack_signing_secret": SecretStr(SECRET),
    "outage_slack_channel": "CANNOUNCE",
    "slack_support_channels": ["CSUPPORT"],
    "slack_triage_channels": TRIAGE,
    "slack_agents": [AgentEntry(user="UAGENT")],
}


@asynccontextmanager
async def slack_service(
    migrated: Settings,
    fake: FakeSlack,
    store: Sessions,
    triager: Triager | None = None,
    configure: dict[str, Any] = SLACK_SETTINGS,
) -> AsyncIterator[Service]:
    """`serve` with Slack configured (`configure`) against the fake, and, if given, a scripted
    triager; stopped on exit."""
    settings = migrated.model_copy(update={**configure, "slack_api_url": fake.api_url})
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(settings, on_ready=ready.append, stop=stop, triager=triager))
    await eventually(lambda: ready or task.done())
    if task.done():
        task.result()
    try:
        async with aiohttp.ClientSession() as http:
            yield Service(ready[0].split()[4] + "slack/events", fake, http, store, settings)
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


@pytest.fixture
async def service(migrated: Settings, fake: FakeSlack, store: Sessions) -> AsyncIterator[Service]:
    async with slack_service(migrated, fake, store) as running:
        yield running
