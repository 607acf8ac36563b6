"""Issue 16: an Exchange Online style mailbox, read over IMAP and answered over SMTP with OAuth2
bearer tokens (SASL XOAUTH2) from the Microsoft identity platform's client-credentials flow,
against a real Dovecot (oauth2 passdb, token introspection), a real SMTP server and a local fake
of the identity platform, through the real service."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Ticket
from tests.conftest import eventually
from tests.imap.test_imap_intake import append, count, folder_counts, running
from tests.m365.conftest import (
    CLIENT_ID,
    SECRET,
    healthz,
    idling_again,
    imap_running,
    imap_state,
    oauth2_settings,
)
from tests.mail import make_email
from tests.servers.dovecot import Dovecot
from tests.servers.dovecot_oauth2 import kick
from tests.servers.identity import FakeIdentity
from tests.servers.smtp import SmtpServer
from tests.servers.smtp_oauth2 import OAuth2Handler

Smtp = tuple[SmtpServer, OAuth2Handler]


async def test_mail_read_with_oauth2_is_ticketed_and_acknowledged_over_oauth2_smtp(
    migrated: Settings, identity: FakeIdentity, dovecot: Dovecot, smtp: Smtp, store: Sessions
) -> None:
    server, handler = smtp
    settings = oauth2_settings(migrated, identity, dovecot, server)
    async with running(settings) as url:
        await idling_again(url)
        append(dovecot, make_email())
        await eventually(lambda: handler.accepted, timeout=30)
        [ack] = handler.messages()
        assert "[CSC-000001]" in ack["Subject"]
        assert ack["In-Reply-To"] == "<m1.example@msss.example>"
    assert await count(store, Ticket) == 1
    counts = folder_counts(dovecot)
    assert counts["INBOX"] == 0 and counts["Guichet/Traité"] == 1
    # Dovecot let the reader in on a token (it asked the introspection endpoint), the SMTP
    # server on another: both from the client-credentials flow, none refused.
    assert identity.introspections.count(True) >= 2
    assert handler.logins == [dovecot.user] and handler.refused == []
    assert len(identity.tokens_for(CLIENT_ID)) == 2  # one per connection kind, each cached
    assert identity.refusals == []


async def test_a_wrong_client_secret_is_a_clear_operator_error_and_the_service_keeps_running(
    migrated: Settings,
    identity: FakeIdentity,
    dovecot: Dovecot,
    smtp: Smtp,
    store: Sessions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, handler = smtp
    wrong = "wrong-secret-must-never-show"
    settings = oauth2_settings(migrated, identity, dovecot, server, secret=wrong)
    caplog.set_level(logging.INFO)
    async with running(settings) as url:
        await eventually(lambda: _auth_failed(url), timeout=30)
        health = await healthz(url)
        assert health["status"] == "degraded"  # the operator's probe sees it
        state = health["connectors"]["imap:csc"]
        detail = state["detail"]
        assert "AADSTS7000215" in detail and "client secret" in detail, detail
        assert "imap:csc" in detail
        # The rest of the service carries on: a mail dropped in the folder source is ticketed.
        settings.inbox.mkdir(parents=True, exist_ok=True)
        (settings.inbox / "a.eml").write_bytes(make_email(message_id="<folder@msss.example>"))
        await eventually(lambda: _tickets(store, 1), timeout=30)
        async with aiohttp.ClientSession() as http, http.get(url + "readyz") as response:
            ready = await response.json()
            assert response.status == 503
            assert "AADSTS7000215" in ready["checks"]["connector:imap:csc"]["detail"]
            assert wrong not in str(ready)
        # Its acknowledgement cannot go out (the same application sends): kept for a retry.
        await eventually(lambda: CLIENT_ID in identity.refusals[1:], timeout=30)
        assert handler.accepted == []
        assert await imap_running(url) is False
    assert identity.issued == {}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "client secret" in logged
    assert wrong not in logged and SECRET not in logged


async def _auth_failed(url: str) -> bool:
    return await imap_state(url) == "auth_failed"


async def _tickets(store: Sessions, n: int) -> bool:
    return await count(store, Ticket) >= n


async def test_a_token_expiring_mid_run_is_replaced_before_it_is_refused(
    migrated: Settings, identity: FakeIdentity, dovecot: Dovecot, smtp: Smtp
) -> None:
    server, handler = smtp
    identity.lifetime = 4.0  # refreshed a quarter of its life before expiry: after 3 s
    settings = oauth2_settings(migrated, identity, dovecot, server)
    async with running(settings) as url:
        await idling_again(url)
        append(dovecot, make_email())
        await eventually(lambda: len(handler.accepted) == 1, timeout=30)
        first = set(identity.tokens_for(CLIENT_ID))
        await asyncio.sleep(4.5)  # every token issued so far has expired
        # The IDLE session outlives its token; a new login (after a kick) takes a fresh one.
        await asyncio.to_thread(kick, dovecot)
        await eventually(lambda: identity.introspections.count(True) >= 3, timeout=30)
        await idling_again(url)
        append(dovecot, make_email(message_id="<m2.example@msss.example>", subject="Imprimante"))
        await eventually(lambda: len(handler.accepted) == 2, timeout=30)
    assert handler.refused == [], "a fresh token was fetched before the old one expired"
    assert False not in identity.introspections, "an expired token was offered"
    assert handler.logins == [dovecot.user, dovecot.user]
    assert set(identity.tokens_for(CLIENT_ID)) - first, "no new token was fetched"


async def test_a_revoked_token_is_replaced_once_and_nothing_is_lost(
    migrated: Settings, identity: FakeIdentity, dovecot: Dovecot, smtp: Smtp, store: Sessions
) -> None:
    server, handler = smtp
    settings = oauth2_settings(migrated, identity, dovecot, server)
    async with running(settings) as url:
        await idling_again(url)
        append(dovecot, make_email())
        await eventually(lambda: len(handler.accepted) == 1, timeout=30)
        identity.revoke_all()  # e.g. an administrator revoked the app's sessions
        # The reader logs in again (its cached token is now refused), the sender sends again.
        await asyncio.to_thread(kick, dovecot)
        await eventually(lambda: identity.introspections.count(False) >= 1, timeout=30)
        await eventually(lambda: identity.introspections.count(True) >= 3, timeout=30)
        await idling_again(url)
        append(dovecot, make_email(message_id="<m2.example@msss.example>", subject="Imprimante"))
        await eventually(lambda: len(handler.accepted) == 2, timeout=60)
        assert await imap_running(url)
    assert len(handler.refused) == 1, "SMTP: one refusal, then a new token"
    assert identity.introspections.count(False) == 2, "IMAP and SMTP each met the revoked token"
    assert "method=XOAUTH2" in (dovecot.root / "dovecot.log").read_text()
    assert len(identity.tokens_for(CLIENT_ID)) == 4
    assert await count(store, Ticket) == 2
    assert folder_counts(dovecot)["INBOX"] == 0
