"""The tickets API v1: the handlers, their guard and their routes.

Every call needs ``Authorization: Bearer <token>`` (`bot.accounts.tokens`): none, unknown,
revoked or of a disabled account is 401. An agent sees and changes only the tickets their teams
and levels cover (403 otherwise; leads and admins everywhere). The client's mistakes are 400
with ``{"error", "field"}``, an unknown number 404, a business rule that refuses 409 (in the
account's language), a body over 64 KiB 413. A 500 means a bug or the store is down.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func, not_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from bot.accounts import Principal
from bot.accounts.principal import actor_of
from bot.accounts.tokens import principal_for
from bot.api import openapi, views
from bot.api.payloads import (
    ME,
    NOBODY,
    Changes,
    Filters,
    Note,
    changes_from,
    filters_from,
    note_from,
)
from bot.dispatch.opening import awaiting_confirmation
from bot.jsonhttp import ApiError, bearer, error, parse_object, read_body
from bot.messages import say
from bot.sla.queue import in_state
from bot.store import search
from bot.store.db import Sessions
from bot.store.models import Account, Attachment, Message, Role, Ticket, TicketEvent
from bot.tickets import Kind, TicketNumber, actions
from bot.tickets.errors import TicketRuleError
from bot.tickets.log import EventType
from bot.tickets.reply import relay_answer, tell_status

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
REALM = "guichet"
MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 8
"""Our bodies are one flat object (depth 1); 8 leaves room and refuses hostile nesting."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request, Principal], Awaitable[web.Response]]


class TicketsApi:
    def __init__(
        self,
        sessions: Sessions,
        *,
        domain: str,
        now: Callable[[], datetime],
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        """`domain`: our Message-ID domain (public replies); `on_queued` wakes the outbox."""
        self._sessions = sessions
        self._domain = domain
        self._now = now
        self._on_queued = on_queued

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(f"{PREFIX}/openapi.json", self.document),
            web.get(f"{PREFIX}/tickets", self._guard(self.list)),
            web.get(f"{PREFIX}/tickets/{{number}}", self._guard(self.show)),
            web.patch(f"{PREFIX}/tickets/{{number}}", self._guard(self.change)),
            web.post(f"{PREFIX}/tickets/{{number}}/notes", self._guard(self.note)),
        ]

    async def document(self, request: web.Request) -> web.Response:
        return web.json_response(openapi.DOCUMENT)

    def _guard(self, handler: Action) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                principal = await self._authenticate(request)
                return await handler(request, principal)
            except ApiError as exc:
                return error(exc.status, str(exc), exc.field, realm=REALM)

        return guarded

    async def _authenticate(self, request: web.Request) -> Principal:
        token = bearer(request.headers.get("Authorization", ""))
        principal = None
        if token is not None:
            async with self._sessions() as session:
                principal = await principal_for(session, token, self._now())
                await session.commit()  # the token's last use
        if principal is None:
            raise ApiError(401, "missing, unknown or revoked bearer token", "Authorization")
        return principal

    async def list(self, request: web.Request, principal: Principal) -> web.Response:
        wanted = filters_from(request.query)
        async with self._sessions() as session:
            tickets = await queue_page(session, wanted, principal)
        return web.json_response(
            {
                "tickets": [views.summary(t) for t in tickets],
                "limit": wanted.limit,
                "offset": wanted.offset,
            }
        )

    async def show(self, request: web.Request, principal: Principal) -> web.Response:
        async with self._sessions() as session:
            ticket = await find_ticket(session, request, principal)
            messages, attachments, events = await thread(session, ticket)
        return web.json_response(views.detail(ticket, messages, attachments, events))

    async def change(self, request: web.Request, principal: Principal) -> web.Response:
        wanted = changes_from(await _body(request))
        now = self._now()
        async with self._sessions() as session:
            ticket = await find_ticket(session, request, principal)
            try:
                told = await change_ticket(
                    session, ticket, wanted, principal, domain=self._domain, now=now
                )
            except TicketRuleError as refused:
                raise ApiError(409, refused.render(principal.language), _field(refused)) from None
            await _commit(session)
            if told:
                self._on_queued()
            body = views.summary(ticket)
        log.info("api: %s changed %s (%s)", principal.actor, body["number"], sorted(wanted.given))
        return web.json_response(body)

    async def note(self, request: web.Request, principal: Principal) -> web.Response:
        wanted = note_from(await _body(request))
        now = self._now()
        async with self._sessions() as session:
            ticket = await find_ticket(session, request, principal)
            number = ticket.number or ""
            if not await add_note(session, ticket, wanted, principal, domain=self._domain, now=now):
                message = say("reply_command.nowhere", principal.language, number=number)
                raise ApiError(409, message, "internal")
            await _commit(session)
        if not wanted.internal:
            self._on_queued()
        return web.json_response({"number": number, "internal": wanted.internal}, status=201)


async def queue_page(session: AsyncSession, wanted: Filters, principal: Principal) -> list[Ticket]:
    """One page of the queue: the tickets the principal may see, "to confirm" first, then the
    newest. Two queries, so a store of 100,000 tickets is read along the creation-time index
    for the page it shows instead of sorting every row on a computed key."""
    base = _seen(session, wanted, principal)
    newest = (col(Ticket.created_at).desc(), col(Ticket.id).desc())
    flagged = list(
        (await session.exec(base.where(awaiting_confirmation()).order_by(*newest))).all()
    )
    page = flagged[wanted.offset : wanted.offset + wanted.limit]
    wanted_rest = wanted.limit - len(page)
    if wanted_rest > 0:
        rest = (
            base.where(not_(awaiting_confirmation()))
            .order_by(*newest)
            .offset(max(0, wanted.offset - len(flagged)))
            .limit(wanted_rest)
        )
        page += (await session.exec(rest)).all()
    return page


def _seen(session: AsyncSession, wanted: Filters, principal: Principal) -> SelectOfScalar[Ticket]:
    """The tickets the principal may see that match the filters, in no order."""
    query = select(Ticket)
    if principal.role is Role.AGENT:
        if principal.teams:
            query = query.where(
                or_(col(Ticket.team).is_(None), col(Ticket.team).in_(sorted(principal.teams)))
            )
        if principal.levels:
            query = query.where(
                or_(col(Ticket.level).is_(None), col(Ticket.level).in_(sorted(principal.levels)))
            )
    for name in ("status", "severity", "team", "level"):
        value = getattr(wanted, name)
        if value is not None:
            query = query.where(getattr(Ticket, name) == value)
    if wanted.organisation is not None:
        query = query.where(col(Ticket.organisation) == wanted.organisation)
    if wanted.assignee == NOBODY:
        query = query.where(col(Ticket.assignee).is_(None))
    elif wanted.assignee is not None:
        email = principal.email if wanted.assignee == ME else wanted.assignee
        query = query.where(col(Ticket.assignee) == actor_of(email))
    if wanted.sla is not None:
        query = query.where(in_state(wanted.sla))
    if wanted.q:  # the subject and what the requester wrote
        query = query.where(search.matching(session, wanted.q))
    return query


async def find_ticket(session: AsyncSession, request: web.Request, principal: Principal) -> Ticket:
    claimed = request.match_info["number"]
    number = TicketNumber.of(claimed[:40])
    ticket = None
    if number is not None:
        found = await session.exec(select(Ticket).where(Ticket.number == str(number)))
        ticket = found.first()
    if ticket is None:
        text = say("rule.not_found", principal.language, number=claimed[:40])
        raise ApiError(404, text, "number")
    if not principal.may_act_on(ticket):
        raise ApiError.said(403, "outside", "number")
    return ticket


async def _assignee(session: AsyncSession, wanted: Changes) -> str | None:
    """The log's name for the account to assign (`console:<email>`), None to unassign."""
    if "assignee" not in wanted.given or wanted.assignee is None:
        return None
    account = (
        await session.exec(select(Account).where(func.lower(col(Account.email)) == wanted.assignee))
    ).first()
    if account is None or not account.active:
        raise ApiError.said(400, "no_account", "assignee")
    return Principal.of(account).actor


async def _apply(
    session: AsyncSession,
    ticket: Ticket,
    wanted: Changes,
    assignee: str | None,
    actor: str,
    now: datetime,
) -> None:
    """Each change through the domain (the same entries as Slack's buttons); the status last."""
    given = wanted.given
    kind = wanted.kind if "kind" in given else ticket.kind
    if "severity" in given or kind != ticket.kind:
        if "severity" in given:
            severity = wanted.severity
        else:  # a new kind alone keeps an incident's severity, drops it for anything else
            severity = ticket.severity if kind in (None, Kind.INCIDENT) else None
        await actions.set_severity(session, ticket, severity, actor, now, kind=kind)
    if wanted.level is not None:
        await actions.set_level(session, ticket, wanted.level, actor, now)
    if wanted.team is not None and ticket.team != wanted.team:
        actions.record(
            session,
            ticket,
            now,
            EventType.TEAM_SET,
            actor,
            **{"from": ticket.team, "to": wanted.team},
        )
        ticket.team = wanted.team
    if "assignee" in given and ticket.assignee != assignee:
        actions.record(
            session,
            ticket,
            now,
            EventType.ASSIGNED,
            actor,
            **{"from": ticket.assignee, "to": assignee},
        )
        ticket.assignee = assignee
    if wanted.status is not None:
        await actions.set_status(session, ticket, wanted.status, actor, now)


def _field(refused: TicketRuleError) -> str:
    return "status" if refused.key == "rule.transition" else "severity"


async def _body(request: web.Request) -> dict[str, Any]:
    return parse_object(await read_body(request, MAX_BODY_BYTES), MAX_DEPTH)


async def _commit(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:  # another writer changed the same ticket at the same instant
        await session.rollback()
        raise ApiError.said(409, "conflict") from None


async def thread(
    session: AsyncSession, ticket: Ticket
) -> tuple[Sequence[Message], Sequence[Attachment], Sequence[TicketEvent]]:
    """A ticket's messages in order, their attachments' rows and its log, oldest first (the API's
    ticket and the console's ticket page)."""
    messages = (
        await session.exec(
            select(Message)
            .where(Message.ticket_id == ticket.id)
            .order_by(col(Message.received_at), col(Message.id))
        )
    ).all()
    ids = [m.id for m in messages if m.id is not None]
    attachments = (
        await session.exec(
            select(Attachment)
            .where(col(Attachment.message_id).in_(ids))
            .order_by(col(Attachment.id))
        )
    ).all()
    events = (
        await session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.at), col(TicketEvent.id))
        )
    ).all()
    return messages, attachments, events


async def change_ticket(
    session: AsyncSession,
    ticket: Ticket,
    wanted: Changes,
    principal: Principal,
    *,
    domain: str,
    now: datetime,
) -> bool:
    """Apply `wanted` as `principal` through the domain's actions (the caller commits); True
    when the requester is told of the new status (an outbox row: wake the outbox after the
    commit). `TicketRuleError` when the workflow refuses; `ApiError` 400 for an assignee
    without an active account."""
    assignee = await _assignee(session, wanted)
    before = ticket.status
    await _apply(session, ticket, wanted, assignee, principal.actor, now)
    return ticket.status != before and tell_status(
        session, ticket, agent=principal.name, domain=domain, now=now
    )


async def add_note(
    session: AsyncSession,
    ticket: Ticket,
    note: Note,
    principal: Principal,
    *,
    domain: str,
    now: datetime,
) -> bool:
    """An internal note in the log, or a public answer queued for the requester in their
    channel and language (the caller commits, then wakes the outbox); False when a public
    answer has nowhere to go (nothing written)."""
    actor = principal.actor
    if note.internal:
        actions.record(session, ticket, now, EventType.NOTE_ADDED, actor, text=note.body)
        return True
    account = await session.get(Account, principal.account_id)
    sent = relay_answer(
        session,
        ticket,
        text=note.body,
        name=(account.name if account else "") or principal.email,
        key=f"relay:note:{uuid.uuid4()}",
        domain=domain,
        now=now,
    )
    if sent:
        await actions.record_answer(session, ticket, True, now, actor=actor)
    return sent
