"""Signing in to the console with Microsoft Entra ID, against a local fake of the identity
platform over TLS (authorization code with PKCE through MSAL): a person with an active account
is signed in; anyone else, a cancelled or replayed sign-in, another tenant, are refused."""

from __future__ import annotations

import html
import shutil
import ssl
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.settings import Settings
from bot.settings_oidc import ConsoleOidc
from bot.store.db import Sessions
from bot.store.models import Role
from tests.conftest import running_service
from tests.console.helpers import account
from tests.servers.identity import TENANT, FakeIdentity
from tests.servers.smtp import free_port

CLIENT_ID = "11111111-1111-4111-8111-11111111c0de"
SECRET = "console-secret-must-never-show"


@pytest.fixture
def identity() -> Iterator[FakeIdentity]:
    root = Path(tempfile.mkdtemp(prefix="guichet-entra-"))
    fake = FakeIdentity(root / "identity")
    fake.start()
    yield fake
    fake.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def console(migrated: Settings, identity: FakeIdentity) -> AsyncIterator[str]:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/console/login/entra/callback"
    identity.web_apps[CLIENT_ID] = (SECRET, callback)
    oidc = ConsoleOidc(
        tenant=TENANT, client_id=CLIENT_ID, client_secret=SECRET, redirect_uri=callback,  # type: ignore[arg-type]
        authority=identity.authority, ca_file=str(identity.ca_file),
    )  # fmt: skip
    settings = migrated.model_copy(update={"http_port": port, "console_oidc": oidc})
    async with running_service(settings) as url:
        yield url.rstrip("/")


def browser(identity: FakeIdentity) -> aiohttp.ClientSession:
    trust = ssl.create_default_context(cafile=str(identity.ca_file))
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=aiohttp.TCPConnector(ssl=trust),
    )


async def test_a_person_with_an_account_signs_in_with_microsoft(
    console: str, identity: FakeIdentity, store: Sessions
) -> None:
    email = await account(store, "lea@itq.example", Role.AGENT)
    identity.browser_user = "Lea@ITQ.example"
    async with browser(identity) as http:
        async with http.get(f"{console}/console/login") as page:
            assert 'href="/console/login/entra"' in await page.text()
        async with http.get(f"{console}/console/login/entra") as landed:
            text = await landed.text()
            assert landed.status == 200 and str(landed.url) == f"{console}/console/", text[-900:]
            assert email in text  # the header names who is signed in
            assert [str(r.url).split("?")[0] for r in landed.history][1].endswith("/authorize")
        assert "guichet_entra" not in {c.key for c in http.cookie_jar}  # the flow is spent
        async with http.get(f"{console}/console/") as again:
            assert str(again.url) == f"{console}/console/"  # a session like any other


@pytest.mark.parametrize(
    ("user", "tenant", "status", "said"),
    [
        ("inconnu@itq.example", TENANT, 403, "Aucun compte actif de la console n'a l'adresse inconnu@itq.example"),
        (None, TENANT, 401, "Microsoft n'a pas confirmé votre identité"),
        ("lea@itq.example", "99999999-9999-4999-8999-999999999999", 401, "Microsoft n'a pas confirmé"),
    ],
    ids=["no account", "cancelled", "another tenant"],
)  # fmt: skip
async def test_anyone_else_is_refused_on_the_sign_in_page(
    console: str,
    identity: FakeIdentity,
    store: Sessions,
    user: str | None,
    tenant: str,
    status: int,
    said: str,
) -> None:
    await account(store, "lea@itq.example", Role.AGENT)
    identity.browser_user, identity.browser_tenant = user, tenant
    async with browser(identity) as http, http.get(f"{console}/console/login/entra") as page:
        text = html.unescape(await page.text())
        assert page.status == status and said in text
        assert 'name="password"' in text  # the password form is still there
        assert SECRET not in text
    async with browser(identity) as http, http.get(f"{console}/console/") as home:
        assert str(home.url) == f"{console}/console/login"


async def test_a_callback_without_its_flow_is_refused(console: str, identity: FakeIdentity) -> None:
    async with browser(identity) as http:
        url = f"{console}/console/login/entra/callback?code=stolen&state=forged"
        async with http.get(url) as page:
            assert page.status == 401
            assert "ne vient pas de cette page" in html.unescape(await page.text())
        async with http.get(f"{console}/console/login/entra", allow_redirects=False) as started:
            assert started.status == 303
        # a code for this browser's flow, but another state (a forged link): refused
        async with http.get(url) as page:
            assert page.status == 401
