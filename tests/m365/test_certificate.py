"""Issue 16: an application that proves itself with a certificate (the key's PEM file and the
SHA-1 thumbprint Entra ID shows) instead of a client secret: MSAL signs a client assertion that
the fake identity platform checks against the registered certificate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pydantic import SecretStr

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Ticket
from intake.auth import MsalTokens, OAuth2Config, OAuth2Refused
from tests.conftest import eventually
from tests.imap.test_imap_intake import append, count, running
from tests.m365.conftest import idling_again, oauth2_settings
from tests.mail import make_email
from tests.servers.dovecot import USER, Dovecot
from tests.servers.identity import TENANT, Client, FakeIdentity
from tests.servers.smtp import SmtpServer
from tests.servers.smtp_oauth2 import OAuth2Handler

CERT_CLIENT = "33333333-3333-4333-8333-333333333333"


def certificate(root: Path) -> tuple[Path, str, bytes]:
    """A key and self-signed certificate in one PEM file; its SHA-1 thumbprint; the certificate."""
    key, cert = root / "app-key.pem", root / "app-cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=guichet-test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    both = root / "app.pem"
    both.write_bytes(key.read_bytes() + cert.read_bytes())
    both.chmod(0o600)
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    return both, loaded.fingerprint(hashes.SHA1()).hex().upper(), cert.read_bytes()


async def test_a_certificate_mailbox_is_read_and_answered(
    migrated: Settings,
    identity: FakeIdentity,
    dovecot: Dovecot,
    smtp: tuple[SmtpServer, OAuth2Handler],
    store: Sessions,
    root: Path,
) -> None:
    server, handler = smtp
    pem, thumbprint, cert = certificate(root)
    identity.clients[CERT_CLIENT] = Client("", USER, certificate=cert)
    settings = oauth2_settings(migrated, identity, dovecot, server)
    [box] = settings.imap_mailboxes
    assert box.oauth2 is not None
    oauth2 = box.oauth2.model_copy(
        update={
            "client_id": CERT_CLIENT,
            "client_secret": SecretStr(""),
            "certificate_path": str(pem),
            "certificate_thumbprint": thumbprint,
        }
    )
    settings = settings.model_copy(
        update={"imap_mailboxes": [box.model_copy(update={"oauth2": oauth2})]}
    )
    async with running(settings) as url:
        await idling_again(url)
        append(dovecot, make_email())
        await eventually(lambda: handler.accepted, timeout=40)
    assert handler.logins == [USER]
    assert len(identity.tokens_for(CERT_CLIENT)) == 2 and identity.refusals == []
    assert await count(store, Ticket) == 1


async def test_a_certificate_that_is_not_registered_is_refused_with_what_to_check(
    identity: FakeIdentity, root: Path
) -> None:
    pem, thumbprint, _ = certificate(root)
    (root / "registered").mkdir()
    _, _, registered = certificate(root / "registered")  # Entra ID knows another certificate
    identity.clients[CERT_CLIENT] = Client("", USER, certificate=registered)
    tokens = MsalTokens(
        OAuth2Config(
            tenant=TENANT,
            client_id=CERT_CLIENT,
            certificate_path=str(pem),
            certificate_thumbprint=thumbprint,
            authority=identity.authority,
            ca_file=str(identity.ca_file),
        ),
        name="imap:csc",
    )
    with pytest.raises(OAuth2Refused) as refused:
        await tokens.token()
    message = str(refused.value)
    assert "AADSTS700027" in message and "certificate and its thumbprint" in message
    assert identity.refusals == [CERT_CLIENT]
