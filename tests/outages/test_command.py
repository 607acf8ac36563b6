"""``python -m bot outage ...``, run in-process against a migrated store in a temp folder."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Callable

import pytest

from bot import cli
from bot.outages.command import main
from bot.settings import Settings
from bot.store.db import create_engine, sessions
from tests.outages.helpers import outbox

DECLARE = [
    "outage", "declare", "--title-fr", "Courriel indisponible", "--title-en", "Email down",
    "--text-fr", "Outlook ne se connecte plus.", "--text-en", "Outlook cannot connect.",
    "--service", "Outlook", "--organisation", "MSSS", "--team", "collaboration",
]  # fmt: skip


@pytest.fixture
def env(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("GUICHET_CONFIG_FILE", "GUICHET_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", "guichet.example")
    monkeypatch.setenv("GUICHET_OUTAGE_SLACK_CHANNEL", "C0ANNOUNCE")
    monkeypatch.setenv("GUICHET_SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("GUICHET_OUTAGE_MAIL_LISTS", '["tous@itq.example"]')
    return migrated


def run(entry: Callable[[list[str]], int], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = entry(list(argv))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


async def queued(settings: Settings) -> list[str]:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        return list(await outbox(sessions(engine)))
    finally:
        await engine.dispose()


def test_declare_then_list(env: Settings) -> None:
    code, out, err = run(main, *DECLARE)
    assert code == 0, err
    assert "PANNE-0001 declared" in out
    code, out, _ = run(main, "outage", "list", "--json")
    [listed] = json.loads(out)
    assert listed["number"] == "PANNE-0001" and listed["organisations"] == ["msss"]
    assert listed["declared_by"].startswith("cli")
    assert sorted(asyncio.run(queued(env))) == [
        "outage:PANNE-0001:1:mail:tous@itq.example",
        "outage:PANNE-0001:1:slack",
    ]
    code, out, _ = run(main, "outage", "update", "1", "--text-fr", "Suite.", "--text-en", "More.")
    assert code == 0 and "update 2" in out
    code, out, _ = run(main, "outage", "resolve", "PANNE-0001")
    assert code == 0 and "resolved" in out
    assert run(main, "outage", "list")[1].strip() == "no outage"
    assert "resolved" in run(main, "outage", "list", "--all")[1]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["outage", "declare", "--title-fr", "x"], "required"),
        ([*DECLARE, "--start", "2026-11-28 20:00"], "no UTC offset"),
        ([*DECLARE, "--planned"], "needs its start"),
        ([*DECLARE[:4], "--title-en", " ", *DECLARE[6:]], "English"),
        (["outage", "update", "PANNE-0042", "--text-fr", "a", "--text-en", "b"], "PANNE-0042"),
        ([*DECLARE, "--team", "plumbing"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_saying_what_to_fix(env: Settings, argv: list[str], says: str) -> None:
    code, _, err = run(main, *argv)
    assert code == 2
    assert says in err


def test_help_explains(env: Settings) -> None:
    code, out, _ = run(main, "outage", "declare", "--help")
    assert code == 0 and "--planned" in out and "ISO 8601" in out


def test_through_the_main_cli(env: Settings) -> None:
    assert run(cli.main, *DECLARE)[0] == 0
    code, out, _ = run(cli.main, "outage", "list", "--json")
    assert code == 0 and json.loads(out)[0]["number"] == "PANNE-0001"
