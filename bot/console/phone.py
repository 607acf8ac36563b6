"""A ticket for a phone call: the agent types what the caller said, and it enters the desk the
way a mail does. The form becomes an RFC 5322 message from the caller (`source = phone`, the
agent as its `ref`), committed by the same first step as every message (`bot.receive`), then
read, triaged, ticketed and acknowledged by mail by the dispatcher: nothing about a phone ticket
is handled apart, and nothing typed is lost if the service stops before the dispatcher runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from aiohttp import web

from bot.accounts.fields import InvalidAccount, email_of
from bot.console.gate import Gate
from bot.console.pages import page, see_other
from bot.console.sessions import Signed
from bot.messages import say
from bot.receive import store_raw
from bot.store.db import Sessions
from bot.store.models import Message, Ticket
from intake.message import Channel, InboundMessage

log = logging.getLogger(__name__)

SOURCE = "phone"
MAX_NAME = 200
MAX_SUBJECT = 200
MAX_TEXT = 20_000
WAIT_FOR_TICKET = 8.0
"""Seconds the form waits for the dispatcher before sending the agent to the queue instead."""


@dataclass(frozen=True, slots=True)
class Call:
    """What the agent typed (kept to show the form again when something is wrong)."""

    address: str = ""
    name: str = ""
    subject: str = ""
    text: str = ""


def call_from(form: Mapping[str, object]) -> tuple[Call, str | None]:
    """The call, and the catalogue key of what is wrong with it (None: fine)."""

    def field(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    call = Call(field("address"), field("name"), field("subject"), field("text"))
    try:
        address = email_of(call.address[:400])
    except InvalidAccount:
        return call, "console.phone.bad_address"
    call = Call(address, call.name, call.subject, call.text)
    if len(call.name) > MAX_NAME or any(c in call.name for c in "\r\n"):
        return call, "console.phone.bad_name"
    if not call.subject or len(call.subject) > MAX_SUBJECT:
        return call, "console.phone.bad_subject"
    if not call.text or len(call.text) > MAX_TEXT:
        return call, "console.phone.bad_text"
    return call, None


def as_mail(call: Call, *, agent: str, domain: str, now: datetime) -> bytes:
    """The call as the caller's mail to the desk. Its Message-ID is on `phone.<our domain>`:
    on our own domain it would read as our mail coming back (a loop), and never a ticket's."""
    mail = EmailMessage()
    local, _, host = call.address.partition("@")
    mail["From"] = Address(display_name=call.name, username=local, domain=host)
    mail["Subject"] = call.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(idstring="call", domain=f"phone.{domain}")
    mail["X-Guichet-Taken-By"] = agent
    mail.set_content(call.text)
    return mail.as_bytes()


class Phone:
    def __init__(
        self,
        sessions: Sessions,
        gate: Gate,
        *,
        domain: str,
        now: Callable[[], datetime],
        on_received: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._domain = domain
        self._now = now
        self._on_received = on_received

    def routes(self) -> list[web.RouteDef]:
        guard = self._gate.guard
        return [
            web.get("/console/phone", guard(self.form)),
            web.post("/console/phone", guard(self.take)),
        ]

    async def form(
        self,
        request: web.Request,
        signed: Signed,
        *,
        status: int = 200,
        error: str = "",
        call: Call | None = None,
    ) -> web.StreamResponse:
        return page(
            request,
            "phone",
            signed.principal.language,
            status=status,
            context={
                "signed": signed,
                "call": call or Call(),
                "error": error,
                "limits": {"name": MAX_NAME, "subject": MAX_SUBJECT, "text": MAX_TEXT},
            },
        )

    async def take(self, request: web.Request, signed: Signed) -> web.StreamResponse:
        who = signed.principal
        call, wrong = call_from(await request.post())
        if wrong is not None:
            text = say(wrong, who.language, subject=MAX_SUBJECT, text=MAX_TEXT, name=MAX_NAME)
            return await self.form(request, signed, status=400, error=text, call=call)
        now = self._now()
        raw = as_mail(call, agent=who.actor, domain=self._domain, now=now)
        inbound = InboundMessage(Channel.EMAIL, raw, now, source=SOURCE, ref=who.actor)
        received = await store_raw(self._sessions, inbound)
        self._on_received()
        log.info("console: %s took a phone call (message %s)", who.actor, received.message_id)
        number = await self._ticket_of(received.message_id)
        if number is None:  # the dispatcher is busy: the ticket appears in the queue
            return see_other("/console/")
        return see_other(f"/console/tickets/{number}")

    async def _ticket_of(self, message_id: int) -> str | None:
        """The number of the ticket the message joined, once the dispatcher has read it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_FOR_TICKET
        while loop.time() < deadline:
            async with self._sessions() as session:
                message = await session.get(Message, message_id)
                ticket = (
                    await session.get(Ticket, message.ticket_id)
                    if message is not None and message.ticket_id is not None
                    else None
                )
            if ticket is not None and ticket.number:
                return ticket.number
            await asyncio.sleep(0.1)
        return None
