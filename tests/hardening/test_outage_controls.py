"""Issue #14, item 5: control characters in an outage never reach the feed or the status page.

A French title holding an escape character was accepted and stored; from then on the public
French Atom feed answered 500 (XML cannot carry it) for as long as the outage was shown, and
the status page printed it raw. Every input refuses control characters, naming the field; the
renderings strip them from rows stored before.
"""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.dispatch.answering import outages_text
from bot.outages.command import main
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Outage, OutageNotice
from tests.conftest import running_service

TOKEN = "jeton-de-test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GOOD = {
    "title_fr": "Courriel indisponible",
    "title_en": "Email unavailable",
    "text_fr": "Outlook ne se connecte plus.\nNous cherchons la cause.",
    "text_en": "Outlook cannot connect.\n\tWe are looking into it.",
}
BAD = [
    ("title_fr", "Courriel \x1b[2J indisponible"),  # C0: an escape sequence
    ("title_en", "Email\nunavailable"),  # a line break in a one-line field
    ("title_fr", "Courriel\x85indisponible"),  # C1
    ("text_fr", "Outlook \u202etcennoc en\u202c ne se connecte plus."),  # bidi override
    ("text_en", "Outlook\x00cannot connect."),
    ("text_fr", "Outlook \u2066isolé\u2069\x07"),
]


@pytest.fixture
async def service(migrated: Settings) -> AsyncIterator[str]:
    settings = migrated.model_copy(update={"outage_api_tokens": [SecretStr(TOKEN)]})
    async with running_service(settings) as url:
        yield url


async def call(method: str, url: str, **kwargs: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.request(method, url, **kwargs) as response:
        return response.status, await response.text()


async def feeds_and_page(base: str) -> dict[str, str]:
    """The French and English feeds and pages: each answers 200 and parses."""
    found = {}
    for path in ("status.atom?lang=fr", "status.atom?lang=en", "status", "status?lang=en"):
        status, text = await call("GET", base + path)
        assert status == 200, (path, status, text[:300])
        if "atom" in path:
            ET.fromstring(text.encode())
        found[path] = text
    return found


@pytest.mark.parametrize(("field", "value"), BAD)
async def test_the_api_refuses_control_characters_naming_the_field(
    service: str, field: str, value: str
) -> None:
    status, answer = await call(
        "POST", service + "api/outages", json={**GOOD, field: value}, headers=AUTH
    )
    assert status == 400, answer
    assert f'"field": "{field}"' in answer and "control character" in answer
    shown = await feeds_and_page(service)
    assert "Courriel" not in shown["status"]  # nothing was recorded


async def test_multi_line_texts_keep_their_lines_and_tabs(service: str) -> None:
    status, answer = await call("POST", service + "api/outages", json=GOOD, headers=AUTH)
    assert status == 201, answer
    shown = await feeds_and_page(service)
    assert "Nous cherchons la cause." in shown["status.atom?lang=fr"]


async def test_a_row_stored_before_cannot_break_the_feed_or_reach_the_page(
    service: str, store: Sessions
) -> None:
    status, answer = await call("POST", service + "api/outages", json=GOOD, headers=AUTH)
    assert status == 201, answer
    async with store() as session:  # as an older version let them in
        outage = (await session.exec(select(Outage))).one()
        outage.title_fr = "Courriel\x1b[31m indisponible\x0c\u202e"
        outage.services = ["Outlook\x07"]
        for notice in (await session.exec(select(OutageNotice))).all():
            notice.text_fr = "Outlook\x00 ne se\x1b]0;x\x07 connecte plus.\x85"
            session.add(notice)
        session.add(outage)
        await session.commit()
    shown = await feeds_and_page(service)
    for text in shown.values():
        for char in "\x1b\x0c\u202e\x07\x00\x85":
            assert char not in text
    assert "Courriel[31m indisponible" in shown["status.atom?lang=fr"]
    assert "Courriel[31m indisponible" in shown["status"]


@pytest.fixture
def env(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("GUICHET_CONFIG_FILE", "GUICHET_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", "guichet.example")
    return migrated


@pytest.mark.parametrize(
    ("option", "value"),
    [("--title-fr", "Courriel\x1b[2J"), ("--text-en", "Email \u202edown"), ("--site", "Qc\x00")],
)
def test_the_cli_refuses_control_characters_naming_the_option(
    env: Settings, option: str, value: str
) -> None:
    argv = ["outage", "declare"]
    for name, given in GOOD.items():
        argv += [f"--{name.replace('_', '-')}", given]
    argv += ["--site", "Québec"]
    at = argv.index(option)
    argv[at + 1] = value
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 2, (out.getvalue(), err.getvalue())
    assert option in err.getvalue() and "control character" in err.getvalue()
    assert "\x1b" not in err.getvalue()  # the error itself does not echo it


def test_the_outages_answer_shows_no_control_characters_of_an_old_row() -> None:
    """A requester asking "is there an outage?" is told the titles without the controls of a
    row stored before they were refused (the answer goes to their mail or Slack thread)."""
    when = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    old = Outage(
        kind="unplanned",
        title_fr="Courriel\x1b[2J indisponible\u202e",
        title_en="Email\x07 down",
        text_fr="x",
        text_en="x",
        status="active",
        starts_at=when,
        declared_by="cli:test",
        created_at=when,
        updated_at=when,
    )
    for language in ("fr", "en"):
        answer = outages_text([old], language, "")
        assert not any(ch in answer for ch in "\x1b\x07\u202e"), answer
    assert "Courriel[2J indisponible" in outages_text([old], "fr", "")
