"""Sign-in, sign-out, and the guard in front of every other console page.

- `POST /console/login`: an unknown address, a disabled account and a wrong password get the
  same answer after the same argon2 work (`passwords.verify` against a decoy hash);
- 5 failures for one address or one client within 15 minutes: 429 (`limits`);
- every page needs a live session (else 303 to the sign-in page); every POST carries the
  session's CSRF token in its `csrf` field (else 403).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select

from bot.accounts import passwords
from bot.console import sessions
from bot.console.language import visitor_language
from bot.console.limits import WINDOW, SignInLimits
from bot.console.pages import page, problem, protect, see_other
from bot.console.sessions import COOKIE, LOGIN_COOKIE, Signed
from bot.messages import say
from bot.store.db import Sessions
from bot.store.models import Account
from bot.tickets.labels import Language

log = logging.getLogger(__name__)

LOGIN = "/console/login"
HOME = "/console/"
MAX_EMAIL_CHARS = 320

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Page = Callable[[web.Request, Signed], Awaitable[web.StreamResponse]]


class Gate:
    def __init__(
        self,
        sessions: Sessions,
        *,
        now: Callable[[], datetime],
        limits: SignInLimits,
        entra: bool = False,
    ) -> None:
        """`entra`: the sign-in page also offers Microsoft Entra ID (`bot.console.oidc`)."""
        self._sessions = sessions
        self._now = now
        self._limits = limits
        self._entra = entra

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(LOGIN, self.headed(self.login_form)),
            web.post(LOGIN, self.headed(self.login)),
            web.post("/console/logout", self.guard(self.logout)),
        ]

    def headed(self, handler: Handler) -> Handler:
        async def with_headers(request: web.Request) -> web.StreamResponse:
            return protect(request, await handler(request))

        return with_headers

    def guard(self, handler: Page) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            async with self._sessions() as session:
                signed = await sessions.signed_in(session, request.cookies.get(COOKIE), self._now())
            if signed is None:
                return protect(request, see_other(LOGIN))
            if request.method == "POST":
                form = await request.post()
                given = form.get("csrf")
                if not sessions.same(given if isinstance(given, str) else None, signed.csrf):
                    language = signed.principal.language
                    refused = problem(request, language, 403, say("console.csrf", language))
                    return protect(request, refused)
            return protect(request, await handler(request, signed))

        return guarded

    async def login_form(
        self,
        request: web.Request,
        *,
        status: int = 200,
        error: str = "",
        language: Language | None = None,
    ) -> web.StreamResponse:
        token = request.cookies.get(LOGIN_COOKIE) or sessions.new_secret()
        language = language or visitor_language(request)
        other = Language.EN if language is Language.FR else Language.FR
        shown = page(
            request,
            "login",
            language,
            status=status,
            context={
                "csrf": token,
                "error": error,
                "email": "",
                "other": other.value,
                "entra": self._entra,
            },
        )
        sessions.set_cookie(shown, request, LOGIN_COOKIE, token, max_age=3600)
        return shown

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        language = visitor_language(request, str(form.get("lang", ""))[:8])
        given, expected = form.get("csrf"), request.cookies.get(LOGIN_COOKIE, "")
        if not isinstance(given, str) or not expected or not sessions.same(given, expected):
            return problem(request, language, 403, say("console.csrf", language))
        email = str(form.get("email", "")).strip().lower()[:MAX_EMAIL_CHARS]
        password = str(form.get("password", ""))
        now = self._now()
        keys = (f"email:{email}", f"addr:{request.remote or '?'}")
        if self._limits.blocked(keys, now):
            log.warning("console: sign-in refused, too many failures (%s)", request.remote)
            refused = await self.login_form(
                request,
                status=429,
                error=say("console.login.too_many", language),
                language=language,
            )
            refused.headers["Retry-After"] = str(int(WINDOW.total_seconds()))
            return refused
        async with self._sessions() as session:
            account = (
                await session.exec(select(Account).where(func.lower(col(Account.email)) == email))
            ).first()
            stored = account.password_hash if account is not None and account.active else None
            ok = await asyncio.to_thread(passwords.verify, stored, password)
            if not ok or account is None:
                self._limits.failed(keys, now)
                return await self.login_form(
                    request,
                    status=401,
                    error=say("console.login.refused", language),
                    language=language,
                )
        return await self.signed_in(request, account, how="password")

    async def signed_in(
        self, request: web.Request, account: Account, *, how: str
    ) -> web.StreamResponse:
        """Open a session for `account`, who proved who they are (`how`), and go home."""
        now = self._now()
        async with self._sessions() as session:
            await sessions.purge(session, now)
            signed = sessions.open_session(session, account, now)
            await session.commit()
        log.info("console: %s signed in (%s)", signed.principal.email, how)
        answer = see_other(HOME)
        max_age = int(sessions.LIFETIME.total_seconds())
        sessions.set_cookie(answer, request, COOKIE, signed.sid, max_age=max_age)
        answer.del_cookie(LOGIN_COOKIE, path=sessions.PATH)
        return answer

    async def logout(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        async with self._sessions() as session:
            await sessions.close(session, signed.sid)
            await session.commit()
        answer = see_other(LOGIN)
        answer.del_cookie(COOKIE, path=sessions.PATH)
        return answer
