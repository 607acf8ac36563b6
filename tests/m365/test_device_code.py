"""Issue 16: a delegated mailbox. `python -m bot mailbox login NAME` runs the device-code flow
(prints the page and the code, waits for the sign-in), keeps the tokens in a 0600 file under the
data directory, and the service then reads and answers that mailbox with them, against the same
real Dovecot, SMTP server and fake identity platform as the application mailboxes."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import sys
from pathlib import Path

from bot.settings import MailboxSettings, Settings
from bot.store.db import Sessions
from bot.store.models import Ticket
from tests.conftest import eventually
from tests.imap.test_imap_intake import append, count, running
from tests.m365.conftest import CLIENT_ID, idling_again
from tests.mail import make_email
from tests.servers.dovecot import Dovecot
from tests.servers.identity import TENANT, FakeIdentity
from tests.servers.smtp import SmtpServer
from tests.servers.smtp_oauth2 import OAuth2Handler

Smtp = tuple[SmtpServer, OAuth2Handler]


def delegated_toml(identity: FakeIdentity, dovecot: Dovecot, smtp: SmtpServer) -> str:
    return f"""
smtp_host = "{smtp.host}"
smtp_port = {smtp.port}
smtp_auth = "oauth2"

[[imap_mailboxes]]
name = "csc"
host = "{dovecot.host}"
port = {dovecot.imaps_port}
username = "{dovecot.user}"
ca_file = "{dovecot.root / "cert.pem"}"
auth = "oauth2"

[imap_mailboxes.oauth2]
flow = "device_code"
tenant = "{TENANT}"
client_id = "{CLIENT_ID}"
authority = "{identity.authority}"
ca_file = "{identity.ca_file}"
"""


async def login(settings: Settings, config: Path, name: str, identity: FakeIdentity,
                user: str) -> tuple[int, str, str]:  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env |= {"GUICHET_DATA_DIR": str(settings.data_dir), "GUICHET_CONFIG_FILE": str(config)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "mailbox", "login", name,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    shown = b""
    if name == "csc":
        shown = await asyncio.wait_for(process.stdout.readline(), 60)
        code = re.search(rb"enter the code (\w+)", shown)
        assert code is not None, shown
        assert b"https://microsoft.example/devicelogin" in shown
        identity.approve(code.group(1).decode(), user)  # the person signs in
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, (shown + out).decode(), err.decode()


async def test_a_delegated_mailbox_signs_in_once_then_is_read_and_answered(
    migrated: Settings, identity: FakeIdentity, dovecot: Dovecot, smtp: Smtp, store: Sessions,
    tmp_path: Path,
) -> None:  # fmt: skip
    server, handler = smtp
    identity.public_clients.add(CLIENT_ID)
    config = tmp_path / "guichet.toml"
    config.write_text(delegated_toml(identity, dovecot, server), encoding="utf-8")

    code, out, err = await login(migrated, config, "nope", identity, dovecot.user)
    assert code == 2 and "'nope'" in err and "device_code" in err, err

    code, out, err = await login(migrated, config, "csc", identity, dovecot.user)
    assert code == 0, err
    assert f"signed in as {dovecot.user}" in out
    cache = migrated.data_dir / "oauth2" / "csc.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert "fake-rt-" in cache.read_text()
    assert not any(t in out + err for t in identity.issued), "a token was printed"

    box = MailboxSettings.model_validate(
        {"name": "csc", "host": dovecot.host, "port": dovecot.imaps_port,
         "username": dovecot.user, "ca_file": str(dovecot.root / "cert.pem"), "auth": "oauth2",
         "oauth2": {"flow": "device_code", "tenant": TENANT, "client_id": CLIENT_ID,
                    "authority": identity.authority, "ca_file": str(identity.ca_file)}}
    )  # fmt: skip
    settings = migrated.model_copy(
        update={"imap_mailboxes": [box], "smtp_host": server.host, "smtp_port": server.port,
                "smtp_auth": "oauth2"}
    )  # fmt: skip
    identity.revoke_all()  # the access token from the sign-in is gone: the refresh token serves
    async with running(settings) as url:
        await idling_again(url)
        append(dovecot, make_email())
        await eventually(lambda: handler.accepted, timeout=40)
    assert handler.logins == [dovecot.user]
    assert await count(store, Ticket) == 1
    assert identity.introspections.count(True) >= 2
