"""A throwaway Dovecot on loopback: passwd-file user, Maildir in a temp dir, IMAP + IMAPS.

Debian 12 ships Dovecot 2.3 and Debian 13 Dovecot 2.4, whose configuration syntax changed: the
config is written for the version found. Dovecot refuses to run mail processes as root, so mail
belongs to nobody (65534). Missing Dovecot fails the suite under CI (GUICHET_REQUIRE_SERVERS=1)
rather than skipping; elsewhere those tests skip with the command to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.servers.smtp import free_port

USER = "csc@itq.example"
PASSWORD = "secret-test-only"

CONFIG_23 = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=65534 gid=65534 home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
mailbox_idle_check_interval = 1 secs
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
"""

CONFIG_24 = """\
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_server_cert_file = {root}/cert.pem
ssl_server_key_file = {root}/key.pem
auth_allow_cleartext = yes
auth_mechanisms = plain login
auth_failure_delay = 0
passdb passwd-file {{
  passwd_file_path = {root}/passwd
  default_password_scheme = plain
}}
userdb static {{
  fields {{
    uid = 65534
    gid = 65534
    home = {root}/mail/%{{user}}
  }}
}}
mail_driver = maildir
mail_path = ~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
mailbox_idle_check_interval = 1s
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


def dovecot_version() -> tuple[int, int] | None:
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        return None
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = out.split()[0].split(".")[:2]
    return int(major), int(minor)


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    imaps_port: int
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD

    @classmethod
    def create(cls, root: Path) -> Dovecot:
        version = dovecot_version()
        assert version is not None
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir(exist_ok=True)
        os.chmod(root, 0o755)
        if os.geteuid() == 0:
            os.chown(root / "mail", 65534, 65534)
        (root / "passwd").write_text(f"{USER}:{PASSWORD}\n")
        os.chmod(root / "passwd", 0o644)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                str(root / "key.pem"),
                "-out",
                str(root / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        server = cls(root, free_port(), free_port())
        template = CONFIG_24 if version >= (2, 4) else CONFIG_23
        (root / "dovecot.conf").write_text(
            template.format(root=root, imap_port=server.imap_port, imaps_port=server.imaps_port)
        )
        return server

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                log = (
                    (self.root / "dovecot.log").read_text()
                    if (self.root / "dovecot.log").exists()
                    else ""
                )
                raise RuntimeError(f"dovecot exited: {err}\n{log}")
            try:
                with socket.create_connection((self.host, self.imap_port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening within 20 s")

    def kill(self) -> None:
        """SIGKILL the master, as a crash would, and wait for the port to be free."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        subprocess.run(["pkill", "-9", "-f", str(self.root / "dovecot.conf")], check=False)
        subprocess.run(["pkill", "-9", "-f", f"{self.root}/run"], check=False)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.imap_port), timeout=0.2).close()
                time.sleep(0.1)
            except OSError:
                return

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


def require_dovecot() -> None:
    """Skip a test that needs Dovecot when it is missing, except in CI, where it fails."""
    import pytest

    from tests.conftest import IN_CI  # tests.conftest imports the servers

    if dovecot_version() is None:
        message = (
            "Dovecot is not installed: run `make test` as root, or apt-get install dovecot-imapd"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
