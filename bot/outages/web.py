"""The outages on the web: the public status page (HTML, JSON, Atom) and the agents' API.

``routes(...)`` gives the aiohttp route definitions to hand to `bot.web.create_app`:

- ``GET /status`` (French; ``?lang=en`` for English), ``GET /status.json``, ``GET /status.atom``:
  ongoing outages, planned interruptions, and those resolved in the last 7 days, with their
  notices. Public, read-only, no JavaScript.
- ``/api/outages``: see `bot.outages.api` (bearer tokens).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from aiohttp import web

from bot.outages.api import OutageApi
from bot.outages.broadcast import Broadcast
from bot.outages.feed import status_atom
from bot.outages.status import StatusView, load_status, status_html, status_json
from bot.store.db import Sessions

_FRESH = {"Cache-Control": "no-cache"}


def routes(
    sessions: Sessions,
    *,
    tokens: Sequence[str],
    broadcast: Broadcast,
    now: Callable[[], datetime],
    on_queued: Callable[[], None] = lambda: None,
    on_planned: Callable[[], None] = lambda: None,
) -> list[web.RouteDef]:
    """The status page and the API. `on_queued` wakes the outbox worker; `on_planned` the
    `OutageWatcher` (a planned interruption declared inside its lead time is announced at once)."""

    async def view() -> StatusView:
        async with sessions() as session:
            return await load_status(session, now())

    async def page(request: web.Request) -> web.Response:
        html = status_html(
            await view(), request.query.get("lang", "fr"), broadcast.organisation_name
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=_FRESH)

    async def as_json(request: web.Request) -> web.Response:
        return web.json_response(status_json(await view()), headers=_FRESH)

    async def atom(request: web.Request) -> web.Response:
        feed = status_atom(
            await view(),
            request.query.get("lang", "fr"),
            base_url=broadcast.public_url or str(request.url.origin()),
            domain=broadcast.mail_domain,
        )
        return web.Response(
            body=feed, content_type="application/atom+xml", charset="utf-8", headers=_FRESH
        )

    api = OutageApi(
        sessions,
        tokens=tokens,
        broadcast=broadcast,
        now=now,
        on_queued=on_queued,
        on_planned=on_planned,
    )
    return [
        web.get("/status", page),
        web.get("/status.json", as_json),
        web.get("/status.atom", atom),
        *api.routes(),
    ]
