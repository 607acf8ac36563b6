"""Canned responses: answers agents reuse, in French and English. Every signed-in agent reads
them and puts one in a ticket's reply box (`filled`, in the ticket's language); leads and admins
write, change and delete them (`/console/canned`). A response is only text: `$number`, `$name`
(the requester) and `$agent` are replaced when it is used, anything else is left as written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from string import Template

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import Principal
from bot.console.gate import Gate
from bot.console.pages import page, problem, see_other
from bot.console.sessions import Signed
from bot.messages import say
from bot.store.db import Sessions
from bot.store.models import CannedResponse, Role
from bot.tickets.labels import Language

log = logging.getLogger(__name__)

MAX_TITLE = 120
MAX_BODY = 10_000
MAX_RESPONSES = 500
"""A desk's library stays readable in one list; more is refused with a message."""


@dataclass(frozen=True, slots=True)
class Draft:
    """What a lead typed in the form, kept to show it again when it is refused."""

    title: str = ""
    body_fr: str = ""
    body_en: str = ""


def filled(response: CannedResponse, language: Language, **values: str) -> str:
    """The response's text in `language`, its `$names` replaced (never code: `string.Template`)."""
    text = response.body_en if language is Language.EN else response.body_fr
    return Template(text).safe_substitute(values)


def draft_from(form: Mapping[str, object]) -> tuple[Draft, str | None]:
    """The form's draft, and the catalogue key of what is wrong with it (None: fine)."""
    draft = Draft(
        title=_text(form.get("title")).strip(),
        body_fr=_text(form.get("body_fr")).strip(),
        body_en=_text(form.get("body_en")).strip(),
    )
    if not draft.title or len(draft.title) > MAX_TITLE:
        return draft, "console.canned.bad_title"
    if not draft.body_fr or not draft.body_en:
        return draft, "console.canned.both_languages"
    if len(draft.body_fr) > MAX_BODY or len(draft.body_en) > MAX_BODY:
        return draft, "console.canned.too_long"
    return draft, None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def every_response(session: AsyncSession) -> list[CannedResponse]:
    found = await session.exec(select(CannedResponse).order_by(col(CannedResponse.title)))
    return list(found.all())


class Canned:
    def __init__(self, sessions: Sessions, gate: Gate, *, now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._gate = gate
        self._now = now

    def routes(self) -> list[web.RouteDef]:
        guard = self._gate.guard
        return [
            web.get("/console/canned", guard(self.library)),
            web.post("/console/canned", guard(self.add)),
            web.post("/console/canned/{id}", guard(self.change)),
            web.post("/console/canned/{id}/delete", guard(self.delete)),
        ]

    async def library(
        self,
        request: web.Request,
        signed: Signed,
        *,
        status: int = 200,
        error: str = "",
        draft: Draft | None = None,
        editing: int | None = None,
    ) -> web.StreamResponse:
        async with self._sessions() as session:
            responses = await every_response(session)
        return page(
            request,
            "canned",
            signed.principal.language,
            status=status,
            context={
                "signed": signed,
                "responses": responses,
                "may_edit": _may_edit(signed.principal),
                "error": error,
                "draft": draft or Draft(),
                "editing": editing,
                "max_title": MAX_TITLE,
                "max_body": MAX_BODY,
            },
        )

    async def add(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        return await self._write(request, signed, None)

    async def change(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        return await self._write(request, signed, _id(request))

    async def delete(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        if not _may_edit(who):
            return problem(
                request, who.language, 403, say("console.canned.leads_only", who.language)
            )
        async with self._sessions() as session:
            found = await _find(session, _id(request))
            if found is None:
                return problem(request, who.language, 404, say("console.error.404", who.language))
            await session.delete(found)
            await session.commit()
        log.info("console: %s deleted canned response %s", who.actor, found.id)
        return see_other("/console/canned")

    async def _write(
        self, request: web.Request, signed: Signed, wanted: int | None
    ) -> web.StreamResponse:
        who = signed.principal
        if not _may_edit(who):
            return problem(
                request, who.language, 403, say("console.canned.leads_only", who.language)
            )
        draft, wrong = draft_from(await request.post())

        async def refuse(key: str, status: int = 400) -> web.StreamResponse:
            error = say(key, who.language, max_title=MAX_TITLE, max_body=MAX_BODY)
            return await self.library(
                request, signed, status=status, error=error, draft=draft, editing=wanted
            )

        if wrong is not None:
            return await refuse(wrong)
        async with self._sessions() as session:
            if wanted is None:
                count = len(await every_response(session))
                if count >= MAX_RESPONSES:
                    return await refuse("console.canned.too_many", 409)
                found = CannedResponse(
                    title="", body_fr="", body_en="", updated_by="", updated_at=self._now()
                )
            else:
                existing = await _find(session, wanted)
                if existing is None:
                    return problem(
                        request, who.language, 404, say("console.error.404", who.language)
                    )
                found = existing
            found.title, found.body_fr, found.body_en = draft.title, draft.body_fr, draft.body_en
            found.updated_by, found.updated_at = who.actor, self._now()
            session.add(found)
            try:
                await session.commit()
            except IntegrityError:  # the title is taken
                await session.rollback()
                return await refuse("console.canned.title_taken", 409)
        log.info("console: %s wrote canned response %s", who.actor, found.id)
        return see_other("/console/canned")


def _may_edit(who: Principal) -> bool:
    return who.role in (Role.LEAD, Role.ADMIN)


def _id(request: web.Request) -> int:
    claimed = request.match_info["id"]
    return int(claimed) if claimed.isascii() and claimed.isdigit() and len(claimed) < 10 else 0


async def _find(session: AsyncSession, wanted: int | None) -> CannedResponse | None:
    return await session.get(CannedResponse, wanted) if wanted else None
