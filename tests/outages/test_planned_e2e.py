"""A planned interruption, end to end: declared through the HTTP API with an agent token,
announced at once (inside the lead time) to the Slack announcement channel and the mailing list
(real SMTP server), reminded when it starts, threaded under the first notice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from tests.conftest import eventually, running_service
from tests.servers.slack_api import FakeSlack, run_fake_slack
from tests.servers.smtp import SmtpServer

TOKEN = "agent-token-for-tests"
LIST = "tous@itq.example"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack(FakeSlack()) as running:
        yield running


@pytest.fixture
async def service(
    migrated: Settings, fake: FakeSlack, smtp_server: SmtpServer
) -> AsyncIterator[str]:
    settings = migrated.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-test"),
            "slack_signing_secret": SecretStr("secret"),
            "slack_api_url": fake.api_url,
            "outage_slack_channel": "CANNOUNCE",
            "outage_mail_lists": [LIST],
            "outage_api_tokens": [SecretStr(TOKEN)],
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
        }
    )
    async with running_service(settings) as url:
        yield url


async def test_planned_interruption_announced_then_reminded(
    service: str, fake: FakeSlack, smtp_server: SmtpServer
) -> None:
    starts = datetime.now(UTC) + timedelta(seconds=3)
    body = {
        "kind": "planned",
        "title_fr": "Maintenance du serveur de fichiers",
        "title_en": "File server maintenance",
        "text_fr": "Le serveur de fichiers sera indisponible pendant la maintenance.",
        "text_en": "The file server will be unavailable during maintenance.",
        "starts_at": starts.isoformat(),
        "expected_end": (starts + timedelta(hours=2)).isoformat(),
        "services": ["serveur de fichiers"],
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(
            service + "api/outages", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as response:
            assert response.status == 201, await response.text()
            number = (await response.json())["number"]

        def posts() -> list[dict[str, object]]:
            return [c.params for c in fake.called("chat.postMessage")]

        [announce] = await eventually(posts)
        assert announce["channel"] == "CANNOUNCE" and "thread_ts" not in announce
        [mail] = await eventually(lambda: smtp_server.handler.messages())
        assert LIST in mail["To"] and "Maintenance du serveur de fichiers" in mail.get_content()

        reminders = await eventually(lambda: posts()[1:], timeout=30)
        assert len(reminders) == 1 and reminders[0]["thread_ts"]
        mails = await eventually(lambda: smtp_server.handler.messages()[1:], timeout=30)
        assert mails[0]["In-Reply-To"] == mail["Message-ID"]

        async with http.get(service + "status.json") as response:
            status = await response.json()
    assert number in str(status)
    await asyncio.sleep(1.5)
    assert len(posts()) == 2 and len(smtp_server.handler.messages()) == 2  # once each
