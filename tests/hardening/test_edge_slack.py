"""Hostile requests to `/slack/events` on the real running service (issue #14, items 1 and 7).

Unsigned or badly signed → 401, signed but malformed → 400, too large → 413; never 500 (Slack
retries a 500), never the body of a refused request in the logs, never a frozen event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from bot.store.db import Sessions
from tests.servers.slack_api import FakeSlack, forge, run_fake_slack, sign
from tests.slack.conftest import USERS
from tests.slack.payloads import SECRET, event_body, message
from tests.slack.service import Service
from tests.slack.service import slack_service as start_slack

MARK = "Zq7hostile"
"""A word that appears in the hostile bodies and must never reach a log."""

FORM = "application/x-www-form-urlencoded"


def _form(**fields: str) -> str:
    return urllib.parse.urlencode(fields)


def _event(**event: object) -> str:
    return json.dumps(
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event}
    )


# Ten (and more) correctly signed bodies that are not what Slack sends: 400, never 500.
MALFORMED: list[tuple[str, str, str]] = [
    ("truncated JSON", '{"type": "event_callback", "event": {"type": "mess', "application/json"),
    ("JSON array", "[1, 2, 3]", "application/json"),
    ("JSON string", '"event_callback"', "application/json"),
    ("JSON null", "null", "application/json"),
    ("event is a string", _event().replace("{}", '"message"'), "application/json"),
    ("event is a list", json.dumps({"type": "event_callback", "event": [1]}), "application/json"),
    (
        "file size huge",
        _event(
            type="message",
            user="U1",
            channel="D1",
            channel_type="im",
            ts="1700000000.000100",
            text="bonjour",
            files=[{"id": "F1", "name": "a.png", "size": "huge"}],
        ),
        "application/json",
    ),
    (
        "text is an object",
        _event(
            type="message",
            user="U1",
            channel="D1",
            channel_type="im",
            ts="1700000000.000200",
            text={"a": 1},
        ),
        "application/json",
    ),
    (
        "user is a number",
        _event(type="app_mention", user=5, channel="C1", ts="1.2"),
        "application/json",
    ),
    (
        "reaction item is a string",
        _event(type="reaction_added", reaction="ticket", user="U2", item="x"),
        "application/json",
    ),
    ("type is a number", json.dumps({"type": 7}), "application/json"),
    (
        "challenge is a list",
        json.dumps({"type": "url_verification", "challenge": [1]}),
        "application/json",
    ),
    ("form with broken payload", _form(payload='{"type": "block_actions", "user": '), FORM),
    ("form payload is an array", _form(payload="[1]"), FORM),
    (
        "block_actions with user a string",
        _form(
            payload=json.dumps(
                {"type": "block_actions", "user": "U1", "actions": [{"action_id": "a"}]}
            )
        ),
        FORM,
    ),
    (
        "block_actions with actions a string",
        _form(payload=json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": "go"})),
        FORM,
    ),
    ("form that is neither a command nor a payload", _form(a="b"), FORM),
    ("not UTF-8", "\udcff\udcfe", "application/json"),
    ("empty body", "", "application/json"),
]


async def _post(
    running: Service, body: bytes, headers: dict[str, str], content_type: str = "application/json"
) -> tuple[int, str]:
    async with running.http.post(
        running.url, data=body, headers={**headers, "Content-Type": content_type}
    ) as response:
        return response.status, await response.text()


def _signed(raw: bytes) -> dict[str, str]:
    """Slack's signature over the bytes as sent (`sign` takes text, which must be UTF-8)."""
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


async def test_signed_malformed_bodies_are_400(running: Service) -> None:
    outcomes = {}
    for name, text, content_type in MALFORMED:
        raw = text.encode("utf-8", "surrogateescape")
        status, _ = await _post(running, raw, _signed(raw), content_type)
        outcomes[name] = status
    assert outcomes == {name: 400 for name, _, _ in MALFORMED}
    # and the service still works for a real event
    good = event_body(message("bonjour", ts="1700000001.000100"), event_id="EvGood")
    status, _ = await _post(running, good.encode(), sign(SECRET, good))
    assert status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "-1"},
        {"X-Slack-Signature": "v0=00"},
        {},
    ],
    ids=["words", "float", "negative", "no-timestamp", "unsigned"],
)
async def test_unsigned_or_bad_timestamp_is_401(running: Service, headers: dict[str, str]) -> None:
    status, _ = await _post(running, b'{"type": "event_callback"}', headers)
    assert status == 401


async def test_forged_and_stale_signatures_are_401(running: Service) -> None:
    body = event_body(message("bonjour", ts="1700000002.000100"), event_id="EvForged")
    assert (await _post(running, body.encode(), forge(body)))[0] == 401
    stale = sign(SECRET, body, timestamp=int(time.time()) - 600)
    assert (await _post(running, body.encode(), stale))[0] == 401
    # a malformed body with a bad signature is refused for its signature, not its shape
    assert (await _post(running, b"[1", forge("[1")))[0] == 401


async def test_refused_request_body_never_logged(
    migrated: Settings, fake_slack: FakeSlack, store: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with slack_service(migrated, fake_slack, store) as running:
        # 1 MB of address characters without '@', unsigned
        body = (MARK + ".a-b_c%d+e" * 100_000)[:1_000_000].encode()
        bogus = {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=1"}
        assert (await _post(running, body, bogus))[0] in {401, 413}
        forged = f'{{"type": "event_callback", "note": "{MARK}"}}'
        assert (await _post(running, forged.encode(), forge(forged)))[0] == 401
    # the service has stopped: every record it made has been written
    assert caplog.records, "the service logged nothing at all"
    leaked = [r.name for r in caplog.records if MARK in r.getMessage()]
    assert leaked == []


async def test_oversized_request_is_413_before_any_work(running: Service) -> None:
    big = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    status, _ = await _post(running, big, sign(SECRET, big.decode()))
    assert status == 413


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """Logging as `bot serve` sets it up (`bot.logs.configure`), undone afterwards."""
    from bot import logs

    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    logs.configure("INFO")
    try:
        yield
    finally:
        stop = getattr(logs, "stop", None)
        if stop is not None:
            stop()
        root.handlers[:] = saved
        root.setLevel(level)


async def test_healthz_answers_while_a_large_unsigned_post_is_handled(
    cli_logging: None, running: Service
) -> None:
    base = running.url.removesuffix("slack/events")
    body = ("a.b-c_d%e+f" * 30_000).encode()  # 330 KB of address characters, no '@'

    async def hostile() -> int:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                running.url, data=body, headers={"X-Slack-Request-Timestamp": "1"}
            ) as response,
        ):
            return response.status

    attack = asyncio.create_task(hostile())
    await asyncio.sleep(0)  # the request is on its way
    started = time.monotonic()
    async with running.http.get(base + "healthz") as response:
        assert response.status == 200
    waited = time.monotonic() - started
    assert await attack in {401, 413}
    # generous: on the quadratic redaction this took tens of seconds
    assert waited < 10, f"/healthz waited {waited:.1f}s behind one hostile request"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack(FakeSlack(users=dict(USERS))) as serving:
        yield serving


@pytest.fixture
async def running(
    migrated: Settings, fake_slack: FakeSlack, store: Sessions
) -> AsyncIterator[Service]:
    async with slack_service(migrated, fake_slack, store) as serving:
        yield serving


def slack_service(
    settings: Settings, fake: FakeSlack, store: Sessions
) -> contextlib.AbstractAsyncContextManager[Service]:
    """The service with only the signing secret, a token and one support channel, started and
    stopped inside the test (so that the test's log capture is in place before the service
    starts and complete once it stops)."""
    minimal = {
        "slack_bot_token": SecretStr("xoxb-test"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_support_channels": ["CSUPPORT"],
    }
    return start_slack(settings, fake, store, configure=minimal)
