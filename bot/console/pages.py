"""How every console answer is made: a Jinja2 page (autoescaped, `bot.texts`) in the agent's
language, and the headers every console response carries (a strict Content-Security-Policy
with a per-response nonce for the page's one style block, no framing, no caching)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.accounts.principal import email_of
from bot.messages import say
from bot.texts import TRIMMED
from bot.tickets.labels import Language

NONCE_KEY: web.RequestKey[str] = web.RequestKey("console_nonce", str)


def csp(nonce: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src 'self' 'nonce-{nonce}'; img-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def nonce_of(request: web.Request) -> str:
    if NONCE_KEY not in request:
        request[NONCE_KEY] = secrets.token_urlsafe(16)
    return request[NONCE_KEY]


def protect(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """The headers of every console response (pages, redirects, errors, downloads)."""
    response.headers["Content-Security-Policy"] = csp(nonce_of(request))
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def page(
    request: web.Request,
    name: str,
    language: Language,
    *,
    status: int = 200,
    context: Mapping[str, Any] | None = None,
) -> web.Response:
    """`bot/templates/console/<name>.html.j2`, with `t(key, **fields)` saying the catalogue's
    `console.*` (and other) messages in `language`."""

    def t(key: str, **fields: object) -> str:
        return say(key, language, **fields)

    template = TRIMMED.get_template(f"console/{name}.html.j2")
    text = template.render(
        t=t, person=person, lang=language.value, nonce=nonce_of(request), **(context or {})
    )
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def person(actor: str | None) -> str:
    """How a page names an actor or assignee: an account's address, else the name as logged."""
    return email_of(actor) or actor or ""


def see_other(location: str) -> web.Response:
    """303: after a POST, or to the sign-in page."""
    return web.Response(status=303, headers={"Location": location})


def problem(request: web.Request, language: Language, status: int, message: str) -> web.Response:
    return page(
        request, "error", language, status=status, context={"status": status, "message": message}
    )
