"""Signing in to the console with Microsoft Entra ID (OpenID Connect authorization code flow
with PKCE, through MSAL), beside passwords and behind the same gate: whoever signs in must
already have an active account (`python -m bot users add`, or an admin's page) with the address
Entra ID names them by; the session that follows is the gate's own (`Gate.signed_in`).

- `GET /console/login/entra` starts the flow: MSAL makes the state, the nonce and the PKCE
  verifier; they travel in a short-lived cookie (HttpOnly, `SameSite=Lax`, `Path=/console`,
  10 minutes), so any worker can finish the flow, and the browser goes to Microsoft.
- `GET /console/login/entra/callback` gets the code back: MSAL checks the state against the
  cookie, redeems the code with the application's secret and the verifier, and checks the ID
  token's nonce, audience and lifetime. The address is the token's `preferred_username` (or
  `email`); the tenant must be the configured one.

The code comes back in the query (`response_mode=query`, which MSAL warns about): a
`form_post` is a cross-site POST, on which browsers do not send the `SameSite=Lax` flow cookie.
The code is single-use, bound to the PKCE verifier, and redeemed with the client secret.

MSAL is synchronous and speaks to Microsoft: it runs in a worker thread. Nothing of the tokens
is kept or logged; the refusal Microsoft gives (`AADSTS…`) is shown, without any token.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select

from bot.console import sessions
from bot.console.gate import Gate
from bot.console.language import visitor_language
from bot.logs import redact
from bot.messages import say
from bot.settings_oidc import ConsoleOidc
from bot.store.db import Sessions
from bot.store.models import Account

log = logging.getLogger(__name__)

START = "/console/login/entra"
CALLBACK = "/console/login/entra/callback"
FLOW_COOKIE = "guichet_entra"
FLOW_SECONDS = 600
SCOPES = ["email"]
"""MSAL adds `openid profile offline_access`; `email` asks for the address claim too."""
MAX_QUERY_CHARS = 8192
KEPT = ("state", "redirect_uri", "scope", "code_verifier", "nonce", "claims_challenge")
"""What MSAL's flow needs back at the callback (not the long authorization URL)."""


class EntraSignIn:
    def __init__(
        self,
        sessions_: Sessions,
        gate: Gate,
        config: ConsoleOidc,
    ) -> None:
        self._sessions = sessions_
        self._gate = gate
        self._config = config
        self._app: Any = None
        self._lock = asyncio.Lock()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(START, self._gate.headed(self.start)),
            web.get(CALLBACK, self._gate.headed(self.finish)),
        ]

    async def start(self, request: web.Request) -> web.StreamResponse:
        try:
            app = await self._application()
            flow = await asyncio.to_thread(
                app.initiate_auth_code_flow,
                SCOPES,
                redirect_uri=self._config.redirect_uri,
                response_mode="query",
            )
        except Exception as exc:  # Microsoft unreachable, a wrong authority: the operator's
            log.error("console: Entra ID sign-in cannot start: %s", str(exc)[:300])
            return await self._refused(request, "console.entra.unavailable", status=503)
        answer = web.Response(status=303, headers={"Location": flow["auth_uri"]})
        kept = base64.urlsafe_b64encode(
            json.dumps({k: flow.get(k) for k in KEPT}, separators=(",", ":")).encode()
        ).decode()
        sessions.set_cookie(answer, request, FLOW_COOKIE, kept, max_age=FLOW_SECONDS)
        return answer

    async def finish(self, request: web.Request) -> web.StreamResponse:
        flow = _flow(request.cookies.get(FLOW_COOKIE, ""))
        if flow is None or len(request.query_string) > MAX_QUERY_CHARS:
            return await self._refused(request, "console.entra.expired")
        given = {k: v for k, v in request.query.items() if isinstance(v, str)}
        if "error" in given:
            log.info("console: Entra ID refused a sign-in: %s", given["error"][:60])
            return await self._refused(request, "console.entra.refused")
        try:
            app = await self._application()
            result = await asyncio.to_thread(app.acquire_token_by_auth_code_flow, flow, given)
        except ValueError:  # MSAL: the state does not match the flow (a replayed or forged link)
            return await self._refused(request, "console.entra.expired")
        except Exception as exc:
            log.error("console: Entra ID sign-in failed: %s", str(exc)[:300])
            return await self._refused(request, "console.entra.unavailable", status=503)
        if "error" in result:
            log.warning(
                "console: Entra ID did not redeem a sign-in: %s",
                str(result.get("error_description") or result["error"])[:300],
            )
            return await self._refused(request, "console.entra.refused")
        claims: Mapping[str, Any] = result.get("id_token_claims") or {}
        address = _address(claims)
        if not _same_tenant(claims, self._config.tenant) or not address:
            return await self._refused(request, "console.entra.refused")
        async with self._sessions() as session:
            account = (
                await session.exec(select(Account).where(func.lower(col(Account.email)) == address))
            ).first()
        if account is None or not account.active:
            log.info("console: Entra ID sign-in without an active account: %s", redact(address))
            return await self._refused(request, "console.entra.no_account", status=403, who=address)
        answer = await self._gate.signed_in(request, account, how="Entra ID")
        answer.del_cookie(FLOW_COOKIE, path=sessions.PATH)
        return answer

    async def _application(self) -> Any:
        async with self._lock:
            if self._app is None:
                self._app = await asyncio.to_thread(_msal_app, self._config)
            return self._app

    async def _refused(
        self, request: web.Request, key: str, *, status: int = 401, **fields: str
    ) -> web.StreamResponse:
        language = visitor_language(request)
        answer = await self._gate.login_form(
            request, status=status, error=say(key, language, **fields), language=language
        )
        answer.del_cookie(FLOW_COOKIE, path=sessions.PATH)
        return answer


def _flow(cookie: str) -> dict[str, Any] | None:
    if not cookie or len(cookie) > 4096:
        return None
    try:
        flow = json.loads(base64.urlsafe_b64decode(cookie.encode("ascii")))
    except ValueError:  # not base64 (binascii.Error), not UTF-8 or not JSON
        return None
    texts = ("state", "redirect_uri", "code_verifier", "nonce")
    if not isinstance(flow, dict) or not all(isinstance(flow.get(k), str) for k in texts):
        return None
    return {k: flow.get(k) for k in KEPT}


def _address(claims: Mapping[str, Any]) -> str:
    for name in ("preferred_username", "email"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value and len(value) <= 320:
            return value.strip().lower()
    return ""


def _same_tenant(claims: Mapping[str, Any], tenant: str) -> bool:
    """A tenant named by its ID must be the token's `tid`; by a domain, Entra ID's authority for
    that domain already is the tenant's own."""
    if "." in tenant:
        return True
    return str(claims.get("tid", "")).lower() == tenant.lower()


def _msal_app(config: ConsoleOidc) -> Any:
    import msal  # type: ignore[import-untyped]
    import requests

    from intake.auth.oauth2 import http_client

    return msal.ConfidentialClientApplication(
        config.client_id,
        client_credential=config.client_secret.get_secret_value(),
        authority=config.authority_url,
        instance_discovery=False,
        http_client=http_client(requests, config.ca_file),
    )
