"""Webhook endpoints are declared strictly: a mistake refuses the start with one line naming the
entry and what to write, in the variable (JSON) and in the config file (TOML); the secret is
never printed, by `python -m bot settings` or by an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.settings_webhooks import WebhookEntry, WebhookEvent
from tests.test_cli import bot

SECRET = "k3y-for-tests-only-0123456789abcdef0123"
GOOD: dict[str, object] = {"name": "itsm", "url": "https://hooks.example/guichet", "secret": SECRET}

BAD: list[tuple[str, list[dict[str, object]], tuple[str, ...]]] = [
    (
        "typo",
        [{**GOOD, "event": ["ticket.opened"]}],
        ("[0]", "'itsm'", "'event'", "write 'events'"),
    ),
    ("ftp", [{**GOOD, "url": "ftp://hooks.example/x"}], ("url", "http:// or https://")),
    ("no host", [{**GOOD, "url": "https:///x"}], ("url", "with a host")),
    ("short secret", [{**GOOD, "secret": "tooshort-s3cr3t"}], ("secret", "32 characters")),
    ("no secret", [{"name": "itsm", "url": GOOD["url"]}], ("secret is missing",)),
    ("event", [{**GOOD, "events": ["ticket.open"]}], ("'ticket.open'", "'ticket.opened'")),
    ("twice", [GOOD, GOOD], ("two webhooks are named 'itsm'",)),
    ("slow", [{**GOOD, "timeout_seconds": 600}], ("timeout_seconds", "60")),
]


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text and lines[0].startswith("guichet: "), text
    return lines[0]


@pytest.mark.parametrize(("case", "entries", "says"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_webhook_in_the_variable_refuses_to_start(
    settings: Settings, case: str, entries: list[dict[str, object]], says: tuple[str, ...]
) -> None:
    result = bot(settings, "serve", extra_env={"GUICHET_WEBHOOKS": json.dumps(entries)})
    assert result.returncode == 2, (case, result.stdout, result.stderr)
    line = _one_line(result.stderr)
    assert line.startswith("guichet: GUICHET_WEBHOOKS"), line
    for part in says:
        assert part in line, (part, line)
    assert "tooshort-s3cr3t" not in line and SECRET not in line


def test_a_bad_webhook_in_the_config_file_refuses_to_start(
    settings: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "guichet.toml"
    config.write_text(
        '[[webhooks]]\nname = "itsm"\nurl = "https://hooks.example/guichet"\n'
        f'secret = "{SECRET}"\nevnets = ["ticket.changed"]\n',
        encoding="utf-8",
    )
    result = bot(settings, "serve", extra_env={"GUICHET_CONFIG_FILE": str(config)})
    assert result.returncode == 2, result.stdout
    line = _one_line(result.stderr)
    assert line.startswith(f"guichet: {config}: webhooks[0]"), line
    assert "'evnets'" in line and "write 'events'" in line and SECRET not in line


def test_settings_show_the_webhooks_with_the_secret_masked(settings: Settings) -> None:
    hook = {**GOOD, "url": "https://guichet:p4ss@hooks.example/guichet", "events": "ticket.opened"}
    result = bot(settings, "settings", extra_env={"GUICHET_WEBHOOKS": json.dumps([hook])})
    assert result.returncode == 0, result.stderr
    assert "hooks.example" in result.stdout and "ticket.opened" in result.stdout
    assert SECRET not in result.stdout + result.stderr and "p4ss" not in result.stdout


def test_an_entry_never_shows_its_secret_or_its_urls_path() -> None:
    entry = WebhookEntry.model_validate({**GOOD, "url": "https://hooks.example/t0ken?key=abc"})
    made = Settings(webhooks=[entry])
    assert SECRET not in repr(made) and "t0ken" not in repr(made) and "abc" not in repr(made)
    assert "https://hooks.example/…" in repr(made)
    assert entry.wants(WebhookEvent.OPENED) and entry.wants(WebhookEvent.CHANGED)  # none = all
    only = entry.model_copy(update={"events": (WebhookEvent.OPENED,)})
    assert only.wants(WebhookEvent.OPENED) and not only.wants(WebhookEvent.CHANGED)
