"""Start-up problems are one line naming the setting, exit 1 (the operator's problem) or 2
(a bad value): `python -m bot serve` and other commands, run for real in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.test_cli import bot


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text, text
    assert lines[0].startswith("guichet: "), text
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_serve_on_a_port_in_use(settings: Settings, busy_port: int) -> None:
    assert bot(settings, "migrate").returncode == 0
    result = bot(
        settings,
        "serve",
        extra_env={"GUICHET_HTTP_PORT": str(busy_port), "GUICHET_HTTP_HOST": "127.0.0.1"},
    )
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert line.startswith(f"guichet: GUICHET_HTTP_PORT: {busy_port} is already in use")


def test_serve_with_a_slack_token_but_no_secret(settings: Settings) -> None:
    assert bot(settings, "migrate").returncode == 0
    result = bot(settings, "serve", extra_env={"GUICHET_SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "GUICHET_SLACK_SIGNING_SECRET" in line and "xoxb-1" not in line


def _without_root_override(command: list[str]) -> list[str]:
    """As root, permission bits do not stop writes: drop the capabilities that bypass them."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test permissions as root"
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", *command]


@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["ingest", "x.eml"]])
def test_a_read_only_data_dir(settings: Settings, tmp_path: Path, command: list[str]) -> None:
    data = tmp_path / "read-only"
    data.mkdir()
    data.chmod(0o555)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env["GUICHET_DATA_DIR"] = str(data)
    try:
        result = subprocess.run(
            _without_root_override([sys.executable, "-m", "bot", *command]),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        data.chmod(0o755)
    assert result.returncode == 1, result.stderr
    line = _one_line(result.stderr)
    assert line.startswith(f"guichet: GUICHET_DATA_DIR: {data} ")
