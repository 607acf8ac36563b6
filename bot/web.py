"""The HTTP face of the service (aiohttp): health, and the routes the parts bring (Slack's
`/slack/events`, the status page, the outage API)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiohttp import web

from intake.health import Health, State

HealthSource = Callable[[], Mapping[str, Health]]
HEALTH_KEY: web.AppKey[HealthSource] = web.AppKey("health")


def create_app(health: HealthSource, routes: Iterable[web.RouteDef] = ()) -> web.Application:
    app = web.Application()
    app[HEALTH_KEY] = health
    app.router.add_get("/healthz", _healthz)
    app.router.add_routes(list(routes))
    return app


async def _healthz(request: web.Request) -> web.Response:
    connectors = request.app[HEALTH_KEY]()
    body: dict[str, Any] = {
        "status": "ok",
        "connectors": {name: h.as_json() for name, h in connectors.items()},
    }
    degraded = [n for n, h in connectors.items() if h.state == State.RETRYING]
    if degraded:
        body["status"] = "degraded"
    # 200 even when degraded: the process is alive and will recover by itself; the body says more
    return web.json_response(body)
