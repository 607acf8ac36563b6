"""Issue #14 item 11 and "operator trust": settings never leak a secret, a wrong or unknown
setting is one line naming it. Run as an operator would: `python -m bot` in a subprocess.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.settings import MailboxSettings, Settings
from tests.test_cli import bot

SECRETS = {
    "GUICHET_DATABASE_URL": "postgresql+asyncpg://guichet:s3cret-db@db.example/guichet",
    "GUICHET_SMTP_PASSWORD": "s3cret-smtp",
    "GUICHET_IMAP_HOST": "imap.example",
    "GUICHET_IMAP_USERNAME": "csc",
    "GUICHET_IMAP_PASSWORD": "s3cret-imap",
    "GUICHET_IMAP_MAILBOXES": json.dumps(
        [{"name": "rh", "host": "imap.example", "username": "rh", "password": "s3cret-mbox"}]
    ),
    "GUICHET_SLACK_BOT_TOKEN": "xoxb-s3cret-bot",
    "GUICHET_SLACK_SIGNING_SECRET": "s3cret-signing",
    "GUICHET_SLACK_APP_TOKEN": "xapp-s3cret-app",
    "GUICHET_OUTAGE_API_TOKENS": json.dumps(["s3cret-api-1", "s3cret-api-2"]),
    "GUICHET_SLACK_API_URL": "https://proxy:s3cret-proxy@slack.example/api/",
}
SECRET_VALUES = ("s3cret-db", "s3cret-smtp", "s3cret-imap", "s3cret-mbox", "s3cret-bot",
                 "s3cret-signing", "s3cret-app", "s3cret-api-1", "s3cret-api-2",
                 "s3cret-proxy")  # fmt: skip


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text and "pydantic" not in text, text
    assert lines[0].startswith("guichet: "), text
    return lines[0]


def test_bot_settings_masks_every_secret(settings: Settings) -> None:
    result = bot(settings, "settings", extra_env=SECRETS)
    assert result.returncode == 0, result.stderr
    for secret in SECRET_VALUES:
        assert secret not in result.stdout + result.stderr, secret
    assert (
        "GUICHET_DATABASE_URL=postgresql+asyncpg://guichet:***@db.example/guichet" in result.stdout
    )
    assert "GUICHET_SMTP_PASSWORD=**********" in result.stdout


def test_repr_shows_no_secret(tmp_path: Path) -> None:
    values = {
        "data_dir": tmp_path,
        "database_url": SECRETS["GUICHET_DATABASE_URL"],
        "smtp_password": "s3cret-smtp",
        "imap_password": "s3cret-imap",
        "imap_mailboxes": [
            MailboxSettings(host="imap.example", username="rh", password="s3cret-mbox")  # type: ignore[arg-type]
        ],
        "slack_bot_token": "xoxb-s3cret-bot",
        "slack_signing_secret": "s3cret-signing",
        "slack_app_token": "xapp-s3cret-app",
        "outage_api_tokens": ["s3cret-api-1", "s3cret-api-2"],
        "slack_api_url": "https://proxy:s3cret-proxy@slack.example/api/",
    }
    made = Settings(**values)  # type: ignore[arg-type]
    shown = repr(made) + str(made) + repr(made.mailboxes()) + str(made.describe())
    for secret in SECRET_VALUES:
        assert secret not in shown, secret


def test_a_bad_value_is_one_line_naming_the_variable(settings: Settings) -> None:
    result = bot(settings, "serve", extra_env={"GUICHET_HTTP_PORT": "abc"})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert line.startswith("guichet: GUICHET_HTTP_PORT: ") and "'abc'" in line


def test_a_bad_value_in_a_secret_setting_does_not_print_it(settings: Settings) -> None:
    mailboxes = json.dumps([{"host": "imap.example", "username": "rh",
                             "password": "s3cret-mbox", "port": "nine"}])  # fmt: skip
    result = bot(settings, "settings", extra_env={"GUICHET_IMAP_MAILBOXES": mailboxes})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "GUICHET_IMAP_MAILBOXES" in line and "port" in line
    assert "s3cret-mbox" not in result.stderr


def test_an_unknown_variable_names_the_closest_setting(settings: Settings) -> None:
    result = bot(settings, "settings", extra_env={"GUICHET_SMTP_HOTS": "mail.example"})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "GUICHET_SMTP_HOTS" in line and "GUICHET_SMTP_HOST" in line


def test_an_unknown_key_in_the_config_file_names_the_closest(
    settings: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "guichet.toml"
    config.write_text('smtp_hots = "mail.example"\nhttp_port = 8081\n', encoding="utf-8")
    result = bot(settings, "settings", extra_env={"GUICHET_CONFIG_FILE": str(config)})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "smtp_hots" in line and "smtp_host" in line and str(config) in line


def test_variables_documented_as_not_settings_are_accepted(settings: Settings) -> None:
    result = bot(
        settings,
        "settings",
        extra_env={"GUICHET_REQUIRE_SERVERS": "1", "GUICHET_TEST_CRASH_AT": "never"},
    )
    assert result.returncode == 0, result.stderr
