"""Real servers for the OAuth2 mailbox tests: the fake identity platform (token endpoint over
TLS, introspection over HTTP), a Dovecot whose oauth2 passdb asks that introspection endpoint,
and an SMTP server requiring XOAUTH2 checked against the same fake."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import MailboxSettings, Settings
from tests.conftest import eventually
from tests.servers.dovecot import USER, Dovecot, require_dovecot
from tests.servers.dovecot_oauth2 import oauth2_dovecot
from tests.servers.identity import TENANT, Client, FakeIdentity
from tests.servers.smtp import SmtpServer
from tests.servers.smtp_oauth2 import OAuth2Handler, run_oauth2_smtp_server

CLIENT_ID = "11111111-1111-4111-8111-111111111111"
SECRET = "fake-client-secret-test-only"


@pytest.fixture
def root() -> Iterator[Path]:
    # pytest's own temp dirs are private (0700); Dovecot's auth and mail users must get in.
    path = Path(tempfile.mkdtemp(prefix="guichet-m365-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def identity(root: Path) -> Iterator[FakeIdentity]:
    fake = FakeIdentity(root / "identity", clients={CLIENT_ID: Client(SECRET, USER)})
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def dovecot(root: Path, identity: FakeIdentity) -> Iterator[Dovecot]:
    require_dovecot()
    server = oauth2_dovecot(root / "dovecot", identity.introspection_url)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(identity: FakeIdentity) -> Iterator[tuple[SmtpServer, OAuth2Handler]]:
    yield from run_oauth2_smtp_server(identity)


def oauth2_settings(
    settings: Settings,
    identity: FakeIdentity,
    dovecot: Dovecot,
    smtp: SmtpServer,
    *,
    secret: str = SECRET,
    **mailbox: Any,
) -> Settings:
    """`settings` with one OAuth2 mailbox named csc on Dovecot, sending over SMTP with its
    application."""
    fields: dict[str, Any] = {
        "name": "csc",
        "host": dovecot.host,
        "port": dovecot.imaps_port,
        "username": dovecot.user,
        "auth": "oauth2",
        "oauth2": {
            "tenant": TENANT,
            "client_id": CLIENT_ID,
            "client_secret": secret,
            "authority": identity.authority,
            "ca_file": str(identity.ca_file),
        },
        "security": "ssl",
        "ca_file": str(dovecot.root / "cert.pem"),
    }
    box = MailboxSettings.model_validate(fields | mailbox)
    return settings.model_copy(
        update={
            "imap_mailboxes": [box],
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_auth": "oauth2",
        }
    )


async def healthz(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url + "healthz") as response:
        return dict(await response.json())


async def imap_state(url: str) -> str:
    return str((await healthz(url))["connectors"].get("imap:csc", {}).get("state", ""))


async def imap_running(url: str) -> bool:
    return await imap_state(url) == "running"


async def idling_again(url: str) -> None:
    """Wait until the reader, logged in again, is back in IDLE. (A message appended while it
    goes from its last search to IDLE waits for the next IDLE round: a race of the reader's own,
    not of OAuth2, noted in the report of issue 16.)"""
    await eventually(lambda: imap_running(url), timeout=30)
    await asyncio.sleep(1.0)
