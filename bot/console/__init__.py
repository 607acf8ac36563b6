"""The agents' console v0 (`/console/...`), server-rendered (aiohttp + Jinja2, autoescaped),
no script needed: sign-in with server-side sessions (`gate`, `sessions`, `limits`), the queue,
the ticket page and its actions, the attachments (`desk`, `view`, `highlight`). Every change
goes through the same functions as the tickets API (`bot.api.tickets`), with the agent as the
actor (`console:<email>`). Every response carries a strict Content-Security-Policy (`pages`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.console.admin import Admin
from bot.console.canned import Canned
from bot.console.desk import Desk
from bot.console.gate import Gate
from bot.console.limits import SignInLimits
from bot.console.live import Live
from bot.console.oidc import EntraSignIn
from bot.console.outages import Outages
from bot.console.phone import Phone
from bot.outages.broadcast import Broadcast
from bot.settings_oidc import ConsoleOidc
from bot.sla.policy import ClockRules
from bot.store.db import Sessions

__all__ = ["console_routes"]


def console_routes(
    sessions: Sessions,
    *,
    domain: str,
    now: Callable[[], datetime],
    on_queued: Callable[[], None] = lambda: None,
    clocks: ClockRules | None = None,
    closing: asyncio.Event | None = None,
    broadcast: Broadcast | None = None,
    on_planned: Callable[[], None] = lambda: None,
    on_received: Callable[[], None] = lambda: None,
    entra: ConsoleOidc | None = None,
) -> list[web.RouteDef]:
    """Every console route; the sign-in brake lives as long as these routes (one process).
    `closing` is set when the service stops: the live streams end then. `broadcast` says where
    outage notices go (None: the status page only); `on_planned` wakes the outage watcher;
    `on_received` wakes the dispatcher (a phone call was stored); `entra` adds signing in
    with Microsoft Entra ID."""
    gate = Gate(sessions, now=now, limits=SignInLimits(), entra=entra is not None)
    desk = Desk(sessions, gate, domain=domain, now=now, on_queued=on_queued, clocks=clocks)
    live = Live(sessions, gate, closing=closing)
    canned = Canned(sessions, gate, now=now)
    phone = Phone(sessions, gate, domain=domain, now=now, on_received=on_received)
    outages = Outages(
        sessions,
        gate,
        broadcast=broadcast or Broadcast(mail_domain=domain),
        now=now,
        on_queued=on_queued,
        on_planned=on_planned,
        ticket_page=desk.ticket,
    )
    # outages before desk: desk's /console/tickets/{number}/{action} and last route take the rest
    routes = [*gate.routes(), *live.routes(), *canned.routes(), *phone.routes(), *outages.routes()]
    routes += Admin(sessions, gate, now=now).routes()  # accounts (admins), own language
    if entra is not None:
        routes += EntraSignIn(sessions, gate, entra).routes()
    return [*routes, *desk.routes()]  # desk's last route takes the rest
