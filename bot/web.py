"""The HTTP face of the service (aiohttp): liveness and readiness, and the routes the parts
bring (Slack's `/slack/events`, the status page, the outage API).

- `/healthz` is liveness: the process answers (200 while it can answer at all, with each
  connector's state in the body). An orchestrator restarts the container when it fails.
- `/readyz` is readiness: the classifier is loaded, the store takes a write, every connector
  runs, every outbox channel delivers. 503 when any part is not ready (`not ready`: still
  starting) or failing (`degraded`), with the part and the reason in the body; page on it, or
  keep traffic away, but do not restart for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from aiohttp import web

from bot.readiness import Check
from intake.health import Health, State

HealthSource = Callable[[], Mapping[str, Health]]
ReadinessSource = Callable[[], Awaitable[Mapping[str, Check]]]
HEALTH_KEY: web.AppKey[HealthSource] = web.AppKey("health")
READY_KEY: web.AppKey[ReadinessSource] = web.AppKey("readiness")

MAX_REQUEST_BYTES = 1024**2
"""aiohttp's documented default for `client_max_size`, stated here: no route takes more before
it refuses with 413 (routes with smaller bodies set their own, lower caps)."""


async def _always_ready() -> Mapping[str, Check]:
    return {}


def create_app(
    health: HealthSource,
    routes: Iterable[web.RouteDef] = (),
    *,
    readiness: ReadinessSource = _always_ready,
) -> web.Application:
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[HEALTH_KEY] = health
    app[READY_KEY] = readiness
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_routes(list(routes))
    return app


async def _healthz(request: web.Request) -> web.Response:
    connectors = request.app[HEALTH_KEY]()
    body: dict[str, Any] = {
        "status": "ok",
        "connectors": {name: h.as_json() for name, h in connectors.items()},
    }
    degraded = [n for n, h in connectors.items() if h.state in (State.RETRYING, State.AUTH_FAILED)]
    if degraded:
        body["status"] = "degraded"
    # Liveness: 200 even when degraded, the process is alive and recovers by itself; /readyz
    # is the one that says 503.
    return web.json_response(body)


async def _readyz(request: web.Request) -> web.Response:
    checks = await request.app[READY_KEY]()
    failing = [c for c in checks.values() if not c.ok]
    if not failing:
        status = "ready"
    elif any(c.starting for c in failing):
        status = "not ready"
    else:
        status = "degraded"
    body = {"status": status, "checks": {name: c.as_json() for name, c in checks.items()}}
    return web.json_response(body, status=503 if failing else 200)
