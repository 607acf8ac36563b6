"""The test Dovecot of `tests.servers.dovecot`, also taking OAuth2 bearer tokens (XOAUTH2 and
OAUTHBEARER), checked on every login against a token introspection endpoint (RFC 7662,
`introspection_mode = post`): Dovecot's "Open Authentication v2.0 database". The password user
still logs in with PLAIN/LOGIN (the tests append mail that way).

Written for Dovecot 2.3 (an `oauth2` passdb with its own settings file); 2.4 moved these settings
into an `oauth2 { }` block of dovecot.conf, written from the 2.4 documentation (this machine runs
2.3: that branch is untested here).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.servers.dovecot import Dovecot, dovecot_version

OAUTH2_23 = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = email
active_attribute = active
active_value = true
"""

PASSDB_23 = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
"""

OAUTH2_24 = """\
oauth2 {{
  introspection_mode = post
  introspection_url = {url}
  force_introspection = yes
  username_attribute = email
  active_attribute = active
  active_value = true
}}
"""


def oauth2_dovecot(root: Path, introspection_url: str) -> Dovecot:
    """A Dovecot (not started) whose IMAP also accepts bearer tokens for its user."""
    server = Dovecot.create(root)
    version = dovecot_version()
    assert version is not None
    conf = root / "dovecot.conf"
    text = conf.read_text()
    mechanisms = "auth_mechanisms = plain login"
    assert mechanisms in text, "tests/servers/dovecot.py changed its auth_mechanisms line"
    text = text.replace(mechanisms, f"{mechanisms} xoauth2 oauthbearer")
    if version >= (2, 4):
        text += OAUTH2_24.format(url=introspection_url)
    else:
        (root / "dovecot-oauth2.conf.ext").write_text(OAUTH2_23.format(url=introspection_url))
        passwd = "passdb {\n  driver = passwd-file\n"
        assert passwd in text
        text = text.replace(passwd, passwd + "  mechanisms = plain login\n")
        text += PASSDB_23.format(root=root)
    conf.write_text(text)
    return server


def kick(server: Dovecot) -> None:
    """Disconnect every IMAP session of the server's user (`doveadm kick`), as a server restart
    or an expired session would: the client has to log in again."""
    doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
    subprocess.run(
        [doveadm, "-c", str(server.root / "dovecot.conf"), "kick", server.user],
        check=True,
        capture_output=True,
        timeout=20,
    )
