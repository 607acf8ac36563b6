"""A recording fake of Slack's Web API on loopback (after bolt-python's mock_web_api_server).

`/api/{method}` answers Slack-shaped JSON to JSON and form bodies alike and records every call;
`/response/{anything}` stands for a `response_url`; `/socket` is a Socket Mode websocket
(`apps.connections.open` points at it) through which tests push envelopes and read acks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT"
TEAM = "T0001"


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str


@dataclass
class FakeSlack:
    """State and behaviour of the fake; tweak `users`, `history`, `throttle` from a test."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """channel → messages, served by conversations.history and conversations.replies."""
    groups: dict[str, list[str]] = field(default_factory=dict)
    throttle: dict[str, list[float]] = field(default_factory=dict)
    """method → Retry-After values to answer with 429, one per next call."""
    errors: dict[str, list[str]] = field(default_factory=dict)
    """method → Slack error codes to answer with (`ok: false`), one per next call."""
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    base_url: str = ""
    socket_inbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_acks: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ts: int = 0

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, predicate: Callable[[FakeSlack], bool], *, timeout: float = 20.0
    ) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def wait_calls(self, method: str, count: int = 1, *, timeout: float = 20.0) -> list[Call]:
        await self.wait_for(lambda s: len(s.called(method)) >= count, timeout=timeout)
        return self.called(method)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def next_ts(self) -> str:
        self._ts += 1
        return f"{1_700_000_000 + self._ts}.{self._ts:06d}"

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "team_id": TEAM,
                "bot_id": "BBOT",
                "user": "guichet",
                "team": "Guichet test",
                "url": "https://x.slack.com/",
            }
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method in ("conversations.history", "conversations.replies"):
            channel, ts = str(params.get("channel")), str(params.get("latest") or params.get("ts"))
            found = [m for m in self.history.get(channel, []) if m.get("ts") == ts]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.postMessage":
            ts = self.next_ts()
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"text": params.get("text"), "ts": ts, "user": BOT_USER},
            }
        if method == "chat.update":
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": params.get("ts"),
                "text": params.get("text"),
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.groups.get(str(params.get("usergroup")), [])}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.base_url.replace("http://", "ws://") + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    # -- handlers ------------------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or str(params.pop("token", ""))
        self.calls.append(Call(method, params, token))
        try:
            if self.throttle.get(method):
                retry_after = self.throttle[method].pop(0)
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={
                        "Retry-After": str(int(retry_after) if retry_after >= 1 else retry_after)
                    },
                )
            if self.errors.get(method):
                return web.json_response({"ok": False, "error": self.errors[method].pop(0)})
            return web.json_response(self.answer(method, params))
        finally:
            await self._notify()

    async def response_url(self, request: web.Request) -> web.Response:
        self.responses.append((request.path, await _params(request)))
        await self._notify()
        return web.Response(text="ok")

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )

        async def pump() -> None:
            while True:
                await ws.send_json(await self.socket_inbox.get())

        pumping = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self.socket_acks.put(json.loads(msg.data))
        finally:
            pumping.cancel()
        return ws


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    body = await request.read()
    if not body:
        return params
    if request.content_type == "application/json":
        params.update(json.loads(body))
    else:
        params.update(dict(urllib.parse.parse_qsl(body.decode())))
    return params


@asynccontextmanager
async def run_fake_slack(fake: FakeSlack | None = None) -> AsyncIterator[FakeSlack]:
    fake = fake or FakeSlack()
    app = web.Application()
    app.router.add_route("*", "/api/{method}", fake.api)
    app.router.add_post("/response/{rest:.*}", fake.response_url)
    app.router.add_get("/socket", fake.socket)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


def sign(secret: str, body: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack puts on a request (https://api.slack.com/authentication/verifying-requests-from-slack)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def forge(body: str) -> dict[str, str]:
    """Headers with a signature made with the wrong secret."""
    stamp = str(int(time.time()))
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(b"not-the-secret", base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
