"""The agent's desk: the queue, a ticket with its thread, proposal and log, the actions on it,
and its attachments. Every read and change goes through the tickets API's functions
(`bot.api.tickets`) and the ticket domain, with the agent as the actor (`console:<email>`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web
from multidict import MultiDict
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.accounts import Principal
from bot.api.payloads import NOBODY, Changes, changes_from, filters_from, note_from
from bot.api.tickets import add_note, change_ticket, find_ticket, queue_page, thread
from bot.console.canned import every_response, filled
from bot.console.clocks import clock_lines
from bot.console.gate import Gate
from bot.console.language import visitor_language
from bot.console.pages import page, problem, see_other
from bot.console.quoted import Stored, whole_texts
from bot.console.sessions import Signed
from bot.console.view import ticket_context
from bot.dispatch.opening import awaits_confirmation
from bot.jsonhttp import ApiError
from bot.messages import say
from bot.sla.clock import Clocks
from bot.sla.policy import ClockRules
from bot.sla.queue import SlaState
from bot.sla.store import load_logs
from bot.store.db import Sessions
from bot.store.models import Account, Attachment, CannedResponse, Message, Requester, Ticket
from bot.tickets import Level, Severity, Status, Team, actions
from bot.tickets.errors import TicketRuleError
from bot.tickets.labels import Language
from bot.tickets.merge import merge
from bot.tickets.number import TicketNumber

log = logging.getLogger(__name__)

ACTIONS = ("confirm", "severity", "team", "level", "assign", "note", "reply", "status", "merge")
STATUSES = (Status.IN_PROGRESS, Status.WAITING_ON_USER, Status.RESOLVED, Status.CLOSED, Status.OPEN)
"""The status buttons (open: reopen)."""


class Desk:
    def __init__(
        self,
        sessions: Sessions,
        gate: Gate,
        *,
        domain: str,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
        clocks: ClockRules | None = None,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._domain = domain
        self._now = now
        self._on_queued = on_queued
        self._clocks = clocks

    def routes(self) -> list[web.RouteDef]:
        guard = self._gate.guard
        return [
            web.get("/console", self._gate.headed(_to_home)),
            web.get("/console/", guard(self.queue)),
            web.get("/console/tickets/{number}", guard(self.ticket)),
            web.post("/console/tickets/{number}/{action}", guard(self.act)),
            web.get("/console/attachments/{id}", guard(self.attachment)),
            web.get("/console/{rest:.*}", self._gate.headed(_unknown)),  # last: the rest
        ]

    async def queue(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        given = MultiDict((k, v) for k, v in request.query.items() if v.strip())
        try:
            wanted = filters_from(given)
        except ApiError as exc:
            return problem(request, who.language, 400, exc.render(who.language))
        async with self._sessions() as session:
            tickets = await queue_page(session, wanted, who)
        rows = [(t, awaits_confirmation(t)) for t in tickets]
        kept = [(k, v) for k, v in given.items() if k != "offset"]
        pages = {
            "previous": _page_link(kept, max(0, wanted.offset - wanted.limit))
            if wanted.offset > 0
            else None,
            "next": _page_link(kept, wanted.offset + wanted.limit)
            if len(tickets) == wanted.limit
            else None,
        }
        return page(
            request,
            "queue",
            who.language,
            context={
                "signed": signed,
                "rows": rows,
                "wanted": wanted,
                "choices": _choices(),
                "pages": pages,
            },
        )

    async def ticket(
        self, request: web.Request, signed: Signed, *, status: int = 200, error: str = ""
    ) -> web.StreamResponse:
        who = signed.principal
        async with self._sessions() as session:
            try:
                ticket = await find_ticket(session, request, who)
            except ApiError as exc:
                return _refused(request, who.language, exc)
            messages, attachments, events = await thread(session, ticket)
            clocks = await self._ticket_clocks(session, ticket)
            others = await _others(session, ticket, who)
            colleagues = await _colleagues(session, ticket)
            library = await every_response(session)
            reply = await _reply_from(session, request, ticket, who)
        stored = [
            Stored(id=m.id, channel=m.channel, direction=m.direction, body=m.body, raw=m.raw)
            for m in messages
            if m.id is not None
        ]
        whole = await asyncio.to_thread(whole_texts, stored, self._domain)
        context = ticket_context(ticket, messages, attachments, events, whole)
        context["clocks"] = clock_lines(clocks, who.language)
        context["others"] = others
        context["colleagues"] = colleagues
        context["canned"] = [(r.id, r.title) for r in library]
        context["reply_text"] = reply
        return page(
            request,
            "ticket",
            who.language,
            status=status,
            context={
                **context,
                "signed": signed,
                "error": error,
                "choices": _choices(),
                "statuses": STATUSES,
            },
        )

    async def _ticket_clocks(self, session: AsyncSession, ticket: Ticket) -> Clocks | None:
        """The ticket's service-level clocks now (None without a policy or an opening)."""
        if self._clocks is None or ticket.id is None:
            return None
        logs = await load_logs(session, [ticket.id])
        return logs[ticket.id].clocks(self._clocks.policy, self._clocks.calendars, self._now())

    async def act(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        action = request.match_info["action"]
        if action not in ACTIONS:
            return problem(request, who.language, 404, say("console.error.404", who.language))
        form = await request.post()
        try:
            queued = await self._apply(request, who, action, str(form.get("value", "")))
        except ApiError as exc:
            if exc.status in (403, 404):
                return _refused(request, who.language, exc)
            return await self.ticket(
                request, signed, status=exc.status, error=exc.render(who.language)
            )
        except TicketRuleError as refused:
            text = refused.render(who.language)
            return await self.ticket(request, signed, status=409, error=text)
        except IntegrityError:  # another writer changed the ticket at the same instant
            text = say("console.error.conflict", who.language)
            return await self.ticket(request, signed, status=409, error=text)
        if queued:
            self._on_queued()
        log.info("console: %s did %s on %s", who.actor, action, request.match_info["number"])
        shown = request.match_info["number"]
        if action == "merge":  # the merged ticket is the one to work on now
            shown = str(TicketNumber.of(str(form.get("value", ""))[:40]))
        return see_other(f"/console/tickets/{quote(shown, safe='')}")

    async def _apply(self, request: web.Request, who: Principal, action: str, value: str) -> bool:
        """One action through the API's functions, committed; True when the outbox has work."""
        now = self._now()
        async with self._sessions() as session:
            ticket = await find_ticket(session, request, who)
            queued = False
            if action == "merge":
                into = await _ticket_named(session, value, who)
                await merge(session, ticket, into, who.actor, now)
            elif action == "confirm":
                await actions.confirm_proposal(session, ticket, who.actor, now)
            elif action in ("note", "reply"):
                note = note_from({"body": value, "internal": action == "note"})
                if not await add_note(session, ticket, note, who, domain=self._domain, now=now):
                    number = ticket.number or ""
                    raise ApiError(409, say("reply_command.nowhere", who.language, number=number))
                queued = not note.internal
            else:
                wanted = _changes(action, value, who.email)
                queued = await change_ticket(
                    session, ticket, wanted, who, domain=self._domain, now=now
                )
            await session.commit()
        return queued

    async def attachment(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        claimed = request.match_info["id"]
        found = None
        async with self._sessions() as session:
            if claimed.isascii() and claimed.isdigit() and len(claimed) < 12:
                found = await session.get(Attachment, int(claimed))
            message = await session.get(Message, found.message_id) if found else None
            ticket = await session.get(Ticket, message.ticket_id) if message else None
        if found is None or found.content is None or ticket is None:
            return problem(request, who.language, 404, say("console.error.404", who.language))
        if not who.may_act_on(ticket):
            return problem(request, who.language, 403, say("console.error.403", who.language))
        return web.Response(
            body=found.content,
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Disposition": disposition(found.filename),
            },
        )


def disposition(filename: str) -> str:
    """Always `attachment` (never rendered), the name in RFC 5987's `filename*` (RFC 6266 §4.3)
    with a plain ASCII fallback for old clients."""
    name = filename.strip() or "attachment"
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    return f"attachment; filename=\"{fallback[:100]}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _unknown(request: web.Request) -> web.StreamResponse:
    language = visitor_language(request)
    return problem(request, language, 404, say("console.error.404", language))


async def _to_home(request: web.Request) -> web.StreamResponse:
    return see_other("/console/")


def _page_link(kept: list[tuple[str, str]], offset: int) -> str:
    return "/console/?" + urlencode([*kept, ("offset", str(offset))])


def _changes(action: str, value: str, email: str) -> Changes:
    """One form's change, checked like the API's PATCH (400 naming the field)."""
    body: Mapping[str, Any]
    if action == "assign":  # nothing: to me; "none": to no one; else a colleague's address
        body = {"assignee": None if value == NOBODY else (value or email)}
    elif action == "severity":
        body = {"severity": value or None}
    else:
        body = {action: value}
    return changes_from(body)


def _refused(request: web.Request, language: Language, exc: ApiError) -> web.Response:
    status = exc.status if exc.status in (403, 404) else 400
    return problem(request, language, status, say(f"console.error.{status}", language))


def _choices() -> dict[str, list[str]]:
    return {
        "status": [s.value for s in Status],
        "severity": [s.value for s in Severity],
        "team": [t.value for t in Team],
        "level": [lv.value for lv in Level],
        "sla": [state.value for state in SlaState],
    }


OTHERS = 20
"""How many of the requester's other tickets the ticket page lists (newest first)."""


async def _others(session: AsyncSession, ticket: Ticket, who: Principal) -> list[Ticket]:
    """The requester's other tickets the agent may act on, newest first."""
    found = await session.exec(
        select(Ticket)
        .where(Ticket.requester_id == ticket.requester_id, col(Ticket.id) != ticket.id)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(OTHERS)
    )
    return [other for other in found.all() if who.may_act_on(other)]


async def _colleagues(session: AsyncSession, ticket: Ticket) -> list[tuple[str, str]]:
    """(address, name) of the active accounts who may take the ticket, by name."""
    found = await session.exec(select(Account).where(col(Account.active).is_(True)))
    people = [a for a in found.all() if Principal.of(a).may_act_on(ticket)]
    return sorted(((a.email, a.name or a.email) for a in people), key=lambda p: p[1].lower())


async def _reply_from(
    session: AsyncSession, request: web.Request, ticket: Ticket, who: Principal
) -> str:
    """The reply box's text: the canned response `?canned=ID` asks for, in the ticket's
    language and filled in; empty without one."""
    claimed = request.query.get("canned", "")
    if not (claimed.isascii() and claimed.isdigit() and len(claimed) < 10):
        return ""
    response = await session.get(CannedResponse, int(claimed))
    if response is None:
        return ""
    requester = await session.get(Requester, ticket.requester_id)
    return filled(
        response,
        ticket.language,
        number=ticket.number or "",
        name=(requester.name if requester else "") or "",
        agent=who.name or who.email,
    )


async def _ticket_named(session: AsyncSession, claimed: str, who: Principal) -> Ticket:
    """The ticket a form names by number (400 when it names none; 403 outside the agent's
    teams and levels)."""
    number = TicketNumber.of(claimed.strip()[:40])
    found = None
    if number is not None:
        found = (await session.exec(select(Ticket).where(Ticket.number == str(number)))).first()
    if found is None:
        text = say("rule.not_found", who.language, number=claimed.strip()[:40] or "?")
        raise ApiError(400, text, "value")
    if not who.may_act_on(found):
        raise ApiError(403, say("console.error.403", who.language), "value")
    return found
