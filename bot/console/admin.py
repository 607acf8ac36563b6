"""Account administration, for admins only (`/console/admin/accounts`): the list of accounts,
adding one, and per account its profile (name, role, teams, levels, language), disabling and
enabling it, a new password, and revoking its API tokens (tokens are made with
`python -m bot tokens create`, which shows them once). The checks and the store changes are the
CLI's own (`bot.accounts.fields`, `bot.accounts.manage`), so the two cannot disagree.

Leads and agents get 403 on every page here. An admin cannot disable their own account nor take
away their own admin role: the desk is never left without an admin by a click. Every change is
logged at info, the actor's and the account's addresses redacted (`bot.logs.redact`).

`POST /console/language` is every signed-in person's: their own console language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web
from sqlmodel import col, select

from bot.accounts import Principal, passwords, tokens
from bot.accounts.cli_store import minute
from bot.accounts.fields import InvalidAccount, email_of
from bot.accounts.manage import (
    add_account,
    change_profile,
    ensure_new,
    set_active,
    set_password,
)
from bot.accounts.passwords import PasswordRefused
from bot.console.admin_form import (
    Refusal,
    Typed,
    checked_profile,
    new_password,
    refusal_of,
    text_of,
    typed_from,
)
from bot.console.gate import Gate, Page
from bot.console.pages import page, problem, see_other
from bot.console.sessions import Signed
from bot.logs import redact
from bot.messages import say
from bot.store.db import Sessions
from bot.store.models import Account, ApiToken, Role
from bot.tickets import Language, Level, Team

log = logging.getLogger(__name__)

ACCOUNTS = "/console/admin/accounts"


def _id(request: web.Request, name: str = "id") -> int:
    claimed = request.match_info[name]
    return int(claimed) if claimed.isascii() and claimed.isdigit() and len(claimed) < 10 else 0


def _who(principal: Principal) -> str:
    return redact(principal.email)


class Admin:
    def __init__(self, sessions: Sessions, gate: Gate, *, now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._gate = gate
        self._now = now

    def routes(self) -> list[web.RouteDef]:
        guard, admins = self._gate.guard, self._admins_only
        one = ACCOUNTS + "/{id:[0-9]+}"
        return [
            web.get(ACCOUNTS, guard(admins(self.listing))),
            web.post(ACCOUNTS, guard(admins(self.add))),
            web.get(one, guard(admins(self.account))),
            web.post(one, guard(admins(self.change))),
            web.post(one + "/disable", guard(admins(self.disable))),
            web.post(one + "/enable", guard(admins(self.enable))),
            web.post(one + "/password", guard(admins(self.password))),
            web.post(one + "/tokens/{token:[0-9]+}/revoke", guard(admins(self.revoke))),
            web.post("/console/language", guard(self.own_language)),
        ]

    def _admins_only(self, handler: Page) -> Page:
        async def checked(request: web.Request, signed: Signed) -> web.StreamResponse:
            who = signed.principal
            if who.role is not Role.ADMIN:
                message = say("console.admin.admins_only", who.language)
                return problem(request, who.language, 403, message)
            return await handler(request, signed)

        return checked

    # The list, and a new account.

    async def listing(
        self,
        request: web.Request,
        signed: Signed,
        *,
        refusal: Refusal | None = None,
        typed: Typed | None = None,
    ) -> web.StreamResponse:
        async with self._sessions() as session:
            accounts = (await session.exec(select(Account).order_by(col(Account.email)))).all()
            used: dict[int, datetime] = {}
            for token, owner in await tokens.listed(session):
                last = token.last_used_at
                if owner.id is not None and last is not None:
                    used[owner.id] = max(last, used.get(owner.id, last))
        return self._page(
            request,
            signed,
            "admin_accounts",
            refusal,
            accounts=accounts,
            last_used={k: minute(v) for k, v in used.items()},
            typed=typed or Typed(),
        )

    async def add(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        form = await request.post()
        typed = typed_from(form)
        try:
            email = email_of(typed.email)
            profile = checked_profile(typed)
            password = new_password(form)
            async with self._sessions() as session:
                await ensure_new(session, email)  # before the argon2 work, as the CLI does
                hashed = await asyncio.to_thread(passwords.hash, password)
                made = await add_account(
                    session, email, profile, password_hash=hashed, now=self._now()
                )
                await session.commit()
        except (InvalidAccount, PasswordRefused) as error:
            return await self.listing(request, signed, refusal=refusal_of(error), typed=typed)
        log.info(
            "console: %s added %s account %s (id %s)",
            _who(who),
            profile.role.value,
            redact(email),
            made.id,
        )
        return see_other(ACCOUNTS)

    # One account.

    async def account(
        self,
        request: web.Request,
        signed: Signed,
        *,
        refusal: Refusal | None = None,
        typed: Typed | None = None,
    ) -> web.StreamResponse:
        async with self._sessions() as session:
            found = await session.get(Account, _id(request))
            if found is None:
                return self._missing(request, signed)
            listed = await tokens.listed(session, account_id=found.id)
        return self._page(
            request,
            signed,
            "admin_account",
            refusal,
            account=found,
            typed=typed or Typed.of(found),
            tokens=[
                {
                    "id": token.id,
                    "label": token.label,
                    "created": minute(token.created_at),
                    "last_used": minute(token.last_used_at),
                    "revoked": minute(token.revoked_at),
                }
                for token, _ in listed
            ],
            itself=found.id == signed.principal.account_id,
        )

    async def change(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        typed = typed_from(await request.post())
        wanted = _id(request)
        try:
            profile = checked_profile(typed)
        except InvalidAccount as error:
            return await self.account(request, signed, refusal=refusal_of(error), typed=typed)
        if wanted == who.account_id and profile.role is not Role.ADMIN:
            refusal = Refusal("console.admin.own_role", 409)
            return await self.account(request, signed, refusal=refusal, typed=typed)
        async with self._sessions() as session:
            found = await session.get(Account, wanted)
            if found is None:
                return self._missing(request, signed)
            change_profile(found, profile)
            session.add(found)
            await session.commit()
        log.info(
            "console: %s changed account %s (%s, teams %s, levels %s, %s)",
            _who(who),
            redact(found.email),
            profile.role.value,
            ",".join(profile.teams) or "all",
            ",".join(profile.levels) or "all",
            profile.language.value,
        )
        return see_other(f"{ACCOUNTS}/{wanted}")

    async def disable(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        return await self._active(request, signed, False)

    async def enable(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        return await self._active(request, signed, True)

    async def _active(
        self, request: web.Request, signed: Signed, active: bool
    ) -> web.StreamResponse:
        who = signed.principal
        wanted = _id(request)
        if not active and wanted == who.account_id:
            return await self.account(
                request, signed, refusal=Refusal("console.admin.own_account", 409)
            )
        async with self._sessions() as session:
            found = await session.get(Account, wanted)
            if found is None:
                return self._missing(request, signed)
            changed = await set_active(session, found, active)
            await session.commit()
        if changed:
            what = "enabled" if active else "disabled (sessions ended, API tokens refused)"
            log.info("console: %s %s account %s", _who(who), what, redact(found.email))
        return see_other(f"{ACCOUNTS}/{wanted}")

    async def password(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        form = await request.post()
        wanted = _id(request)
        try:
            password = new_password(form)
        except (InvalidAccount, PasswordRefused) as error:
            return await self.account(request, signed, refusal=refusal_of(error))
        async with self._sessions() as session:
            found = await session.get(Account, wanted)
            if found is None:
                return self._missing(request, signed)
            await set_password(session, found, password)
            await session.commit()
        log.info("console: %s set a new password for account %s", _who(who), redact(found.email))
        return see_other(f"{ACCOUNTS}/{wanted}")

    async def revoke(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        wanted = _id(request)
        async with self._sessions() as session:
            found = await session.get(Account, wanted)
            token = await session.get(ApiToken, _id(request, "token"))
            if found is None or token is None or token.account_id != found.id:
                return self._missing(request, signed)
            await tokens.revoke(session, token.id or 0, self._now())
            await session.commit()
        log.info(
            "console: %s revoked API token %s of account %s",
            _who(who),
            token.id,
            redact(found.email),
        )
        return see_other(f"{ACCOUNTS}/{wanted}")

    # Everyone's own language.

    async def own_language(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        chosen = text_of((await request.post()).get("language"))
        if chosen not in {x.value for x in Language}:
            message = say("console.own_language.unknown", who.language)
            return problem(request, who.language, 400, message)
        async with self._sessions() as session:
            found = await session.get(Account, who.account_id)
            if found is None:
                return self._missing(request, signed)
            found.language = Language(chosen)
            session.add(found)
            await session.commit()
        log.info("console: %s chose the console in %s", _who(who), chosen)
        return see_other(_back(request))

    # Helpers.

    def _page(
        self,
        request: web.Request,
        signed: Signed,
        name: str,
        refusal: Refusal | None,
        **context: object,
    ) -> web.StreamResponse:
        language = signed.principal.language
        error = say(refusal.key, language, **refusal.fields) if refusal else ""
        return page(
            request,
            name,
            language,
            status=refusal.status if refusal else 200,
            context={
                "signed": signed,
                "error": error,
                "roles": [r.value for r in Role],
                "teams": [t.value for t in Team],
                "levels": [x.value for x in Level],
                "languages": [x.value for x in Language],
                "min_password": passwords.MIN_CHARS,
                "max_password": passwords.MAX_CHARS,
                "accounts_path": ACCOUNTS,
                **context,
            },
        )

    def _missing(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        language = signed.principal.language
        return problem(request, language, 404, say("console.admin.no_account", language))


def _back(request: web.Request) -> str:
    """Where the language form was sent from, when it is one of our console pages (the
    `Referer`, same-origin per the pages' Referrer-Policy); else the queue."""
    referer = urlsplit(request.headers.get("Referer", ""))
    path = referer.path
    if referer.netloc != request.host or not path.startswith("/console/") or "//" in path:
        return "/console/"
    return path + (f"?{referer.query}" if referer.query else "")
