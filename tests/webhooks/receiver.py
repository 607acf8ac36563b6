"""A real webhook receiver on loopback: answers each POST with the next scripted status (then
200), after the next scripted delay (then none), and keeps what it was sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event(self) -> str:
        return self.headers["X-Guichet-Event"]

    @property
    def delivery(self) -> str:
        return self.headers["X-Guichet-Delivery"]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    answers: list[int]
    delays: list[float] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)

    def accepted(self, event: str | None = None) -> list[Received]:
        return [r for r in self.got if 200 <= r.answered < 300 and event in (None, r.event)]


@contextlib.asynccontextmanager
async def receiver(
    answers: Iterable[int] = (), delays: Iterable[float] = ()
) -> AsyncIterator[Receiver]:
    made = Receiver(url="", answers=list(answers), delays=list(delays))

    async def hook(request: web.Request) -> web.StreamResponse:
        status = made.answers.pop(0) if made.answers else 200
        await asyncio.sleep(made.delays.pop(0) if made.delays else 0)
        made.got.append(Received(dict(request.headers), await request.read(), status))
        # A redirect points back here: a client that followed it would be seen twice.
        moved = {"Location": "/hooks/guichet"} if 300 <= status < 400 else {}
        return web.Response(status=status, text="ok" if status < 300 else "no", headers=moved)

    app = web.Application()
    app.router.add_post("/hooks/guichet", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    made.url = f"http://127.0.0.1:{port}/hooks/guichet"
    try:
        yield made
    finally:
        await runner.cleanup()
