"""The operator's commands, run as a person would: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings
from tests.mail import make_email


def bot(
    settings: Settings, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update(
        GUICHET_DATA_DIR=str(settings.data_dir),
        GUICHET_MAIL_DOMAIN=settings.mail_domain,
        **(extra_env or {}),
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_help_lists_the_commands(settings: Settings) -> None:
    result = bot(settings, "--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "ingest", "tickets", "settings"):
        assert command in result.stdout


def test_ingest_then_tickets_json(settings: Settings, tmp_path: Path) -> None:
    assert bot(settings, "migrate").returncode == 0
    first = tmp_path / "a.eml"
    first.write_bytes(make_email())
    second = tmp_path / "b.eml"
    second.write_bytes(
        make_email(
            sender="pat@saaq.example",
            subject="Printer jammed",
            message_id="<b@saaq>",
            body="Hello, the printer on floor 3 is jammed again. Thanks",
        )
    )
    result = bot(settings, "ingest", str(first), str(second), str(first))
    assert result.returncode == 0, result.stderr
    assert "CSC-000001" in result.stdout and "CSC-000002" in result.stdout
    assert len(list(settings.outbox.glob("*.eml"))) == 2  # acks written before ingest exits

    listed = bot(settings, "tickets", "--json")
    assert listed.returncode == 0, listed.stderr
    tickets = json.loads(listed.stdout)
    assert [t["number"] for t in tickets] == ["CSC-000002", "CSC-000001"]
    assert tickets[0]["language"] == "en" and tickets[1]["organisation"] == "msss"
    assert tickets[0]["proposal"]["model"]
    table = bot(settings, "tickets")
    assert "CSC-000001" in table.stdout


def test_ingest_unreadable_path_exits_2(settings: Settings, tmp_path: Path) -> None:
    assert bot(settings, "migrate").returncode == 0
    result = bot(settings, "ingest", str(tmp_path / "missing.eml"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_serve_refuses_unmigrated_database_with_a_hint(settings: Settings) -> None:
    for command in (["tickets"], ["ingest", "x.eml"]):
        result = bot(settings, *command)
        assert result.returncode == 1
        assert "python -m bot migrate" in result.stderr


def test_settings_masks_secrets(settings: Settings) -> None:
    result = bot(settings, "settings", extra_env={"GUICHET_SMTP_PASSWORD": "hunter2"})
    assert result.returncode == 0
    assert "hunter2" not in result.stdout
    assert "GUICHET_SMTP_PASSWORD=**********" in result.stdout


def test_bad_setting_says_which(settings: Settings) -> None:
    result = bot(settings, "settings", extra_env={"GUICHET_HTTP_PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr.startswith("guichet: GUICHET_HTTP_PORT: ")
