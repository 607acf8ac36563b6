"""Issue 16: an OAuth2 mailbox's settings are strict (an unknown or missing key refuses the start
with a line naming it and what to write) and its secret never prints. Run as an operator would:
`python -m bot settings` in a subprocess, with a TOML config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import MailboxSettings, Settings
from tests.test_cli import bot

SECRET = "s3cret-oauth2-never-shown"

MAILBOX = f"""
[[imap_mailboxes]]
name = "csc"
host = "outlook.office365.com"
username = "csc@organisme.example"
auth = "oauth2"

[imap_mailboxes.oauth2]
tenant = "organisme.example"
client_id = "11111111-1111-4111-8111-111111111111"
client_secret = "{SECRET}"
"""


def run(settings: Settings, tmp_path: Path, text: str) -> tuple[int, str, str]:
    config = tmp_path / "guichet.toml"
    config.write_text(text, encoding="utf-8")
    result = bot(settings, "settings", extra_env={"GUICHET_CONFIG_FILE": str(config)})
    return result.returncode, result.stdout, result.stderr


def test_an_oauth2_mailbox_is_accepted_and_its_secret_is_masked(
    settings: Settings, tmp_path: Path
) -> None:
    code, out, err = run(settings, tmp_path, 'smtp_host = "smtp.office365.com"\n'
                         'smtp_auth = "oauth2"\n' + MAILBOX)  # fmt: skip
    assert code == 0, err
    assert SECRET not in out + err
    assert '"auth": "oauth2"' in out and '"client_secret": "**********"' in out
    box = MailboxSettings.model_validate(
        {"host": "h", "username": "u", "auth": "oauth2",
         "oauth2": {"tenant": "t", "client_id": "c", "client_secret": SECRET}}
    )  # fmt: skip
    assert SECRET not in repr(box) and SECRET not in str(box.model_dump())


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            ("client_id =", "clientid ="),
            ("imap_mailboxes[0].oauth2.clientid", "did you mean client_id", "Rename or remove"),
        ),
        (
            (f'client_secret = "{SECRET}"', ""),
            ("imap_mailboxes[0].oauth2", "no credential", "client_secret", "certificate_path"),
        ),
        (
            (f'client_secret = "{SECRET}"', 'certificate_path = "/etc/guichet/app.pem"'),
            ("imap_mailboxes[0].oauth2", "a certificate needs both", "certificate_thumbprint"),
        ),
        (
            ('auth = "oauth2"', 'auth = "password"'),
            ("imap_mailboxes[0]", 'write auth = "oauth2"', "or remove the oauth2 table"),
        ),
        (
            ("[imap_mailboxes.oauth2]", "[other]"),
            ("imap_mailboxes[0]", 'auth = "oauth2" needs its credentials', "client_id"),
        ),
        (
            ('auth = "oauth2"', 'auth = "oauth"'),
            ("imap_mailboxes[0].auth", "'password' or 'oauth2'"),
        ),
        (
            ("[imap_mailboxes.oauth2]", "[imap_mailboxes.oauth2]\ncertificate_thumbprint = \"AB\""),
            ("imap_mailboxes[0].oauth2", "not both"),
        ),
    ],
)  # fmt: skip
def test_a_wrong_or_missing_oauth2_setting_refuses_the_start_naming_it(
    settings: Settings, tmp_path: Path, change: tuple[str, str], says: tuple[str, ...]
) -> None:
    text = MAILBOX.replace(*change)
    assert text != MAILBOX
    code, out, err = run(settings, tmp_path, text)
    assert code == 2, out
    assert SECRET not in out + err
    for part in says:
        assert part in err, (part, err)


def test_smtp_over_oauth2_needs_an_oauth2_mailbox_to_send_as(
    settings: Settings, tmp_path: Path
) -> None:
    password_box = MAILBOX.replace('auth = "oauth2"', 'password = "x"').split("[imap_mailboxes.")[0]
    code, _, err = run(settings, tmp_path, 'smtp_auth = "oauth2"\n' + password_box)
    assert code == 2
    assert "GUICHET_SMTP_OAUTH2_MAILBOX" in err and "OAuth2 mailboxes: none" in err
