"""Outages in the console: the list (ongoing, planned, resolved in the last days), declare,
update and resolve, and a ticket linked to (or unlinked from) an outage.

Everything goes through the registry (`bot.outages.registry`) and its checks, as from Slack,
the CLI and the API, with the agent as the actor (`console:<email>`); the broadcasts are its
outbox rows, delivered by the outbox worker (woken here), and the status page reads the same
rows. Linking goes through `bot.outages.linked.link_ticket` (the ticket's log says
``outage_linked``); unlinking takes the ticket back from ``linked`` (``status_changed``).

Who may declare, update and resolve: Slack's `/csc panne` is open to every configured agent.
The console keeps that, within the ticket rule of the accounts (`Principal.covers`): leads and
admins act on every outage; an agent on the outages of their teams, and on those without a
team (an agent without teams covers them all). Anyone else gets 403. Linking a ticket is an
action on the ticket: whoever may act on the ticket may link it to any outage in force.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import Principal
from bot.api.tickets import find_ticket
from bot.console.gate import Gate
from bot.console.outage_form import FormData, Typed, draft_of, explain, resolution_texts, typed
from bot.console.outage_form import instant as read_instant
from bot.console.pages import page, problem, see_other
from bot.console.sessions import Signed
from bot.jsonhttp import ApiError
from bot.messages import say
from bot.outages import registry, render
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageKind, OutageStatus
from bot.outages.errors import InvalidOutage, UnknownOutage
from bot.outages.linked import link_ticket
from bot.outages.status import load_status
from bot.store.db import Sessions
from bot.store.models import Outage, Ticket
from bot.tickets import Status, Team, actions
from bot.tickets.errors import TicketRuleError
from bot.tickets.labels import Language

log = logging.getLogger(__name__)

LIST = "/console/outages"
TicketPage = Callable[..., Awaitable[web.StreamResponse]]
"""The desk's ticket page (`Desk.ticket`): shown again with an error after a refused link."""


def may_manage(who: Principal, team: str | None) -> bool:
    """Whether `who` may declare, update or resolve an outage of `team` (see the module doc)."""
    return who.covers(team=team, level=None)


class Outages:
    def __init__(
        self,
        sessions: Sessions,
        gate: Gate,
        *,
        broadcast: Broadcast,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
        on_planned: Callable[[], None],
        ticket_page: TicketPage,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._broadcast = broadcast
        self._now = now
        self._on_queued = on_queued
        self._on_planned = on_planned
        self._ticket_page = ticket_page

    def routes(self) -> list[web.RouteDef]:
        """Register before the desk's: its ``/console/tickets/{number}/{action}`` and its
        catch-all would take these paths."""
        guard = self._gate.guard
        return [
            web.get(LIST, guard(self.listing)),
            web.post(LIST, guard(self.declare)),
            web.get(LIST + "/{number}", guard(self.outage)),
            web.post(LIST + "/{number}/update", guard(self.update)),
            web.post(LIST + "/{number}/resolve", guard(self.resolve)),
            web.post("/console/tickets/{number}/outage", guard(self.link)),
        ]

    # The list and the declaration ------------------------------------------------------------

    async def listing(
        self,
        request: web.Request,
        signed: Signed,
        *,
        status: int = 200,
        error: str = "",
        given: Typed | None = None,
    ) -> web.StreamResponse:
        lang = signed.principal.language
        async with self._sessions() as session:
            view = await load_status(session, self._now())
        return page(
            request,
            "outages",
            lang,
            status=status,
            context={
                "signed": signed,
                "error": error,
                "given": given or Typed(),
                "sections": [
                    ("active", [self._card(e.outage, lang) for e in view.active]),
                    ("planned", [self._card(e.outage, lang) for e in view.planned]),
                    ("resolved", [self._card(e.outage, lang) for e in view.resolved]),
                ],
                "teams": [t.value for t in Team],
                "organisations": self._organisations(lang),
            },
        )

    async def declare(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        given = typed(await _form(request))
        try:
            draft = draft_of(given)
            if not may_manage(who, draft.team):
                return _forbidden(request, who.language)
            async with self._sessions() as session:
                outage = await registry.declare(
                    session, draft, who.actor, self._now(), self._broadcast
                )
                number = str(outage.number)
                await self._commit(session)
        except InvalidOutage as exc:
            text = explain(exc, who.language)
            return await self.listing(request, signed, status=400, error=text, given=given)
        except _Conflict:
            text = say("console.outages.conflict", who.language)
            return await self.listing(request, signed, status=409, error=text, given=given)
        (self._on_planned if draft.kind == OutageKind.PLANNED else self._on_queued)()
        log.info("console: %s declared %s", who.actor, number)
        return see_other(_outage_url(number))

    # One outage: its page, updates and resolution --------------------------------------------

    async def outage(
        self,
        request: web.Request,
        signed: Signed,
        *,
        status: int = 200,
        error: str = "",
        given: Typed | None = None,
    ) -> web.StreamResponse:
        who = signed.principal
        async with self._sessions() as session:
            try:
                outage = await registry.get(session, request.match_info["number"])
            except UnknownOutage:
                return _not_found(request, who.language)
            notices = await registry.notices(session, outage)
            linked = await _linked(session, outage)
        shown = [t for t in linked if who.may_act_on(t)]
        return page(
            request,
            "outages_show",
            who.language,
            status=status,
            context={
                "signed": signed,
                "error": error,
                "given": given or Typed(),
                "outage": self._card(outage, who.language),
                "open": outage.status != OutageStatus.RESOLVED,
                "may_manage": may_manage(who, outage.team),
                "notices": [
                    {
                        "heading": render.heading(outage, n.kind, who.language),
                        "at": render.when(n.at, who.language),
                        "actor": n.actor,
                        "text": render.notice_text(n, who.language),
                    }
                    for n in notices
                ],
                "linked": shown,
                "hidden": len(linked) - len(shown),
            },
        )

    async def update(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        form = await _form(request)
        given = typed(form)

        async def change(session: AsyncSession, outage: Outage, actor: str) -> None:
            await registry.post_update(
                session,
                outage,
                given.of("text_fr"),
                given.of("text_en"),
                actor,
                self._now(),
                self._broadcast,
                expected_end=read_instant(given.of("expected_end"), "expected_end"),
            )

        return await self._change(request, signed, given, change, "updated")

    async def resolve(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        form = await _form(request)
        text_fr, text_en = resolution_texts(form)

        async def change(session: AsyncSession, outage: Outage, actor: str) -> None:
            await registry.resolve(
                session,
                outage,
                actor,
                self._now(),
                self._broadcast,
                text_fr=text_fr,
                text_en=text_en,
            )

        return await self._change(request, signed, typed(form), change, "resolved")

    async def _change(
        self,
        request: web.Request,
        signed: Signed,
        given: Typed,
        change: Callable[[AsyncSession, Outage, str], Awaitable[None]],
        done: str,
    ) -> web.StreamResponse:
        """Load the outage, check the agent's right, apply `change`, commit, wake the outbox."""
        who = signed.principal
        try:
            async with self._sessions() as session:
                outage = await registry.get(session, request.match_info["number"])
                if not may_manage(who, outage.team):
                    return _forbidden(request, who.language)
                await change(session, outage, who.actor)
                number = str(outage.number)
                await self._commit(session)
        except UnknownOutage:
            return _not_found(request, who.language)
        except InvalidOutage as exc:
            text = explain(exc, who.language)
            return await self.outage(request, signed, status=400, error=text, given=given)
        except _Conflict:
            text = say("console.outages.conflict", who.language)
            return await self.outage(request, signed, status=409, error=text, given=given)
        self._on_queued()
        log.info("console: %s %s %s", who.actor, done, number)
        return see_other(_outage_url(number))

    # A ticket and its outage -----------------------------------------------------------------

    async def link(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        """``outage``: the outage's number to link the ticket to; empty: unlink it."""
        who = signed.principal
        wanted = (await _form(request)).get("outage")
        number = wanted.strip()[:40] if isinstance(wanted, str) else ""
        now = self._now()
        try:
            async with self._sessions() as session:
                ticket = await find_ticket(session, request, who)
                if number:
                    outage = await registry.get(session, number)
                    await link_ticket(session, outage, ticket, now, actor=who.actor)
                else:
                    await _unlink(session, ticket, who.actor, now)
                await self._commit(session)
        except ApiError as exc:
            status = exc.status if exc.status in (403, 404) else 400
            return problem(
                request, who.language, status, say(f"console.error.{status}", who.language)
            )
        except (UnknownOutage, InvalidOutage):
            text = say("console.outages.cannot_link", who.language, number=number)
            return await self._ticket_page(request, signed, status=400, error=text)
        except TicketRuleError as refused:
            text = refused.render(who.language)
            return await self._ticket_page(request, signed, status=409, error=text)
        except _Conflict:
            text = say("console.error.conflict", who.language)
            return await self._ticket_page(request, signed, status=409, error=text)
        log.info("console: %s linked %s to %r", who.actor, request.match_info["number"], number)
        return see_other(f"/console/tickets/{quote(request.match_info['number'], safe='')}")

    # Helpers ----------------------------------------------------------------------------------

    async def _commit(self, session: AsyncSession) -> None:
        try:
            await session.commit()
        except IntegrityError:  # another writer changed the same outage at the same instant
            await session.rollback()
            raise _Conflict from None

    def _card(self, outage: Outage, language: Language) -> dict[str, Any]:
        facts = render.describe(outage, language)
        facts["status"] = outage.status
        facts["team"] = outage.team or ""
        facts["organisations"] = [
            self._broadcast.organisation_name(o, language) for o in outage.organisations
        ]
        return facts

    def _organisations(self, language: Language) -> list[tuple[str, str]]:
        return sorted(
            (org_id, self._broadcast.organisation_name(org_id, language))
            for org_id in self._broadcast.organisations
        )


class _Conflict(Exception):
    """The commit lost a race with another writer: the agent sends the form again."""


async def _form(request: web.Request) -> FormData:
    return await request.post()  # already read by the guard (the CSRF check): no second read


async def _linked(session: AsyncSession, outage: Outage) -> list[Ticket]:
    found = await session.exec(
        select(Ticket).where(Ticket.outage_id == outage.id).order_by(col(Ticket.id))
    )
    return list(found.all())


async def _unlink(session: AsyncSession, ticket: Ticket, actor: str, now: datetime) -> None:
    """Take the ticket back from its outage: back to ``open`` when it is still ``linked`` (the
    log's ``status_changed`` says so; the reports then count it as the desk's own again)."""
    if ticket.outage_id is None:
        return
    ticket.outage_id = None
    if ticket.status == Status.LINKED:
        await actions.set_status(session, ticket, Status.OPEN, actor, now)


def _outage_url(number: str) -> str:
    return f"{LIST}/{quote(number, safe='')}"


def _forbidden(request: web.Request, language: Language) -> web.Response:
    return problem(request, language, 403, say("console.outages.forbidden", language))


def _not_found(request: web.Request, language: Language) -> web.Response:
    return problem(request, language, 404, say("console.outages.not_found", language))
