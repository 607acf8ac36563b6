"""The queue's live refresh: `GET /console/events`, a server-sent events stream that says
`event: queue` when a ticket arrives or changes, and `GET /console/static/queue.js`, the script
that then fetches the queue page again and swaps its rows in place (no reload). Without
JavaScript the queue works as before.

- The store is read at most once per `TICK` for every stream together (the newest ticket id and
  the latest `updated_at`, over all tickets: the event carries no ticket data, the page the
  script then fetches is filtered as usual);
- a comment `: ping` every `PING` keeps proxies from closing an idle stream; a stream ends after
  `LIFETIME` (EventSource reconnects by itself), when the client goes away, or within a tick
  when the service stops;
- at most `PER_SESSION` streams per session and `OVERALL` in all; beyond, 429.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select

from bot.console.gate import Gate
from bot.console.pages import protect
from bot.console.sessions import Signed
from bot.store.db import Sessions
from bot.store.models import Ticket

log = logging.getLogger(__name__)

EVENTS = "/console/events"
SCRIPT = "/console/static/queue.js"
TICK = 2.0
PING = 15.0
LIFETIME = 600.0
PER_SESSION = 3
OVERALL = 100
RETRY_MS = 5000
"""How long the browser waits before reconnecting after a stream ends (`retry:`)."""

TOO_MANY = (
    "Trop de fenêtres de la file ouvertes pour cette session : fermez-en une, puis rechargez.\n"
    "Too many queue windows open for this session: close one, then reload.\n"
)
"""For EventSource, which never shows it: a person who opens the URL by hand reads it."""

SCRIPT_CACHE = "public, max-age=86400"
_STATIC = Path(__file__).resolve().parent / "static"

State = tuple[object, ...]


class Live:
    def __init__(
        self,
        sessions: Sessions,
        gate: Gate,
        *,
        per_session: int = PER_SESSION,
        overall: int = OVERALL,
        closing: asyncio.Event | None = None,
    ) -> None:
        """`closing` is set by the service before it stops its web server: open streams end
        within a tick instead of holding the shutdown."""
        self._closing = closing or asyncio.Event()
        self._sessions = sessions
        self._gate = gate
        self._per_session = per_session
        self._overall = overall
        self._open: Counter[str] = Counter()
        self._state: State = ()
        self._read_at = float("-inf")
        self._reading = asyncio.Lock()
        self._script = (_STATIC / "queue.js").read_bytes()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(EVENTS, self._gate.guard(self.events)),
            web.get(SCRIPT, self.script),
        ]

    async def script(self, request: web.Request) -> web.StreamResponse:
        answer = protect(
            request,
            web.Response(body=self._script, content_type="text/javascript", charset="utf-8"),
        )
        answer.headers["Cache-Control"] = SCRIPT_CACHE
        return answer

    async def events(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        if self._open[signed.sid] >= self._per_session or self._open.total() >= self._overall:
            refused = web.Response(status=429, text=TOO_MANY, headers={"Retry-After": "60"})
            return protect(request, refused)
        self._open[signed.sid] += 1
        try:
            return await self._stream(request)
        finally:
            self._open[signed.sid] -= 1
            if self._open[signed.sid] <= 0:
                del self._open[signed.sid]

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        seen = await self._current()
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
        protect(request, stream)  # before the headers leave: the guard's comes too late
        stream.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        await stream.prepare(request)
        loop = asyncio.get_running_loop()
        started = pinged = loop.time()
        try:
            await stream.write(f"retry: {RETRY_MS}\n\n".encode())
            while loop.time() - started < LIFETIME and self._connected(request):
                await asyncio.sleep(TICK)
                if not self._connected(request):
                    break
                state = await self._current()
                if state != seen:
                    seen = state
                    await stream.write(b"event: queue\ndata: changed\n\n")
                    pinged = loop.time()
                elif loop.time() - pinged >= PING:
                    await stream.write(b": ping\n\n")
                    pinged = loop.time()
        except ConnectionError:  # the client went away between two checks
            log.debug("console: a live stream's client went away")
        return stream

    async def _current(self) -> State:
        """The newest ticket and the latest change, read at most once per tick for everyone."""
        loop = asyncio.get_running_loop()
        async with self._reading:
            if loop.time() - self._read_at >= TICK * 0.9:
                async with self._sessions() as session:
                    row = (
                        await session.exec(
                            select(func.max(col(Ticket.id)), func.max(col(Ticket.updated_at)))
                        )
                    ).one()
                self._state = tuple(row)
                self._read_at = loop.time()
            return self._state

    def _connected(self, request: web.Request) -> bool:
        """False once the client has gone or the service is closing (aiohttp's shutdown would
        otherwise wait, 60 s by default, for each open handler to end)."""
        transport = request.transport
        return not (self._closing.is_set() or transport is None or transport.is_closing())
