from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web

from intake.message import InboundMessage
from intake.slack.connector import SlackConfig, SlackConnector, ThreadCheck
from intake.slack.fakes import RecordingCommands
from tests.servers.slack_api import FakeSlack, run_fake_slack, sign
from tests.slack.payloads import SECRET

USERS = {
    "U1": {
        "id": "U1",
        "name": "marie",
        "real_name": "Marie Tremblay",
        "locale": "fr-CA",
        "profile": {"email": "marie.tremblay@itq.example", "real_name": "Marie Tremblay"},
    },
    "U2": {
        "id": "U2",
        "name": "john",
        "real_name": "John Smith",
        "locale": "en-US",
        "profile": {"email": "john.smith@itq.example", "real_name": "John Smith"},
    },
    "UAGENT": {
        "id": "UAGENT",
        "name": "agent",
        "locale": "fr-CA",
        "profile": {"email": "agent@itq.example", "real_name": "Agente Lavoie"},
    },
}


@dataclass
class Harness:
    """A connector served on loopback, a consumer that commits (confirms) what it yields."""

    fake: FakeSlack
    connector: SlackConnector
    commands: RecordingCommands
    url: str
    http: aiohttp.ClientSession
    received: list[InboundMessage] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        sent = {
            "Content-Type": content_type,
            **(headers if headers is not None else sign(SECRET, body)),
        }
        async with self.http.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def wait_messages(self, count: int, timeout: float = 20.0) -> list[InboundMessage]:
        async def enough() -> None:
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.received


@contextlib.asynccontextmanager
async def serve_connector(
    fake: FakeSlack,
    *,
    consume: bool = True,
    is_ticket_thread: ThreadCheck | None = None,
    **config: object,
) -> AsyncIterator[Harness]:
    commands = RecordingCommands()
    settings = SlackConfig(
        bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, **config
    )  # type: ignore[arg-type]
    connector = SlackConnector(settings, commands, is_ticket_thread=is_ticket_thread)
    app = web.Application()
    app.add_routes(connector.routes())
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    async with aiohttp.ClientSession() as http, connector:
        harness = Harness(fake, connector, commands, url, http)

        async def consumer() -> None:
            async for message in connector:
                harness.received.append(message)
                harness.arrived.set()
                await connector.confirm(message)

        task = asyncio.create_task(consumer()) if consume else None
        try:
            yield harness
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    await runner.cleanup()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack(FakeSlack(users=dict(USERS))) as running:
        yield running


@pytest.fixture
async def slack(fake: FakeSlack) -> AsyncIterator[Harness]:
    async with serve_connector(fake, support_channels=frozenset({"CSUPPORT"})) as harness:
        yield harness


from tests.slack.service import service  # noqa: E402, F401  (the real service with Slack)
