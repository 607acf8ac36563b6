"""Real servers for the Microsoft Graph mailbox tests: the fake identity platform (token
endpoint over TLS) and the fake Graph mail endpoints, which check its tokens."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import MailboxSettings, Settings
from tests.servers.graph import FakeGraph
from tests.servers.identity import TENANT, Client, FakeIdentity

CLIENT_ID = "22222222-2222-4222-8222-222222222222"
SECRET = "fake-graph-secret-test-only"
MAILBOX = "csc@itq.example"


@pytest.fixture
def identity() -> Iterator[FakeIdentity]:
    root = Path(tempfile.mkdtemp(prefix="guichet-graph-"))
    fake = FakeIdentity(root, clients={CLIENT_ID: Client(SECRET, MAILBOX)})
    fake.start()
    yield fake
    fake.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def graph(identity: FakeIdentity) -> Iterator[FakeGraph]:
    fake = FakeGraph(identity, MAILBOX)
    fake.start()
    yield fake
    fake.stop()


def graph_mailbox(identity: FakeIdentity, graph: FakeGraph, *, secret: str = SECRET) -> Any:
    return MailboxSettings.model_validate(
        {
            "name": "csc",
            "transport": "graph",
            "graph_base_url": graph.base_url,
            "username": MAILBOX,
            "auth": "oauth2",
            "oauth2": {
                "tenant": TENANT,
                "client_id": CLIENT_ID,
                "client_secret": secret,
                "authority": identity.authority,
                "ca_file": str(identity.ca_file),
            },
            "poll_seconds": 0.3,
        }
    )


def graph_settings(
    settings: Settings, identity: FakeIdentity, graph: FakeGraph, *, secret: str = SECRET
) -> Settings:
    """`settings` with one mailbox named csc read and answered over the fake Graph."""
    box = graph_mailbox(identity, graph, secret=secret)
    return settings.model_copy(update={"imap_mailboxes": [box]})


async def healthz(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url + "healthz") as response:
        return dict(await response.json())


async def graph_state(url: str) -> str:
    return str((await healthz(url))["connectors"].get("graph:csc", {}).get("state", ""))
