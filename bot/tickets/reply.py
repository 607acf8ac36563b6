"""Writing to a ticket's requester later (a status change, an agent's answer, an outage notice):
in the channel and thread the ticket came from, in the requester's language.

Where the requester is answered is stored on the ticket when it opens (`Ticket.reply_to`),
never re-read from the raw message: resolving an outage with 1,000 linked tickets parses
nothing. Tickets opened before it was stored get it at start-up (`bot.dispatch.replies`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import notices
from bot.messages import catalogue
from bot.outbox_queue import queue
from bot.store.models import Ticket
from bot.tickets.labels import Status, language_of
from bot.tickets.outbox import NoticeKind
from bot.tickets.reply_to import ReplyTo
from bot.tickets.thread import new_message_id
from intake.message import Channel, OutboundMessage

log = logging.getLogger(__name__)

NOWHERE: dict[str, Any] = {}
"""The stored reply target of a ticket with nowhere to answer (opened by an agent)."""


def reply_target(ticket: Ticket) -> ReplyTo | None:
    """Where the ticket's requester is answered; None when there is nowhere (`NOWHERE`)."""
    if not ticket.reply_to:
        return None
    try:
        return ReplyTo.from_json(ticket.reply_to)
    except (KeyError, TypeError, ValueError):
        log.warning("ticket %s: unreadable stored reply target", ticket.number)
        return None


def to_requester(
    ticket: Ticket,
    reply: ReplyTo,
    *,
    subject: str,
    text: str,
    domain: str,
    blocks: str | None = None,
) -> OutboundMessage:
    """One message to the requester, threaded on the ticket's conversation."""
    number = ticket.number or ""
    if reply.channel == Channel.EMAIL:
        return OutboundMessage(
            channel=Channel.EMAIL,
            to=(reply.address,),
            to_name=reply.name,
            subject=subject if number in subject else f"[{number}] {subject}",
            text=text,
            message_id=new_message_id(number, domain),
            in_reply_to=reply.in_reply_to,
            references=reply.references,
        )
    return OutboundMessage(
        channel=reply.channel,
        to=(reply.address,),
        subject=subject,
        text=text,
        message_id=new_message_id(number, domain),
        thread=reply.thread,
        blocks=blocks,
    )


def relay_answer(
    session: AsyncSession,
    ticket: Ticket,
    *,
    text: str,
    name: str,
    key: str,
    domain: str,
    now: datetime,
) -> bool:
    """An agent's public answer, sent to the requester in their channel and language (an outbox
    row of kind relay, unique on `key`); False when the ticket has nowhere to answer."""
    reply = reply_target(ticket)
    if reply is None:
        return False
    language = language_of(ticket.language)
    number = ticket.number or ""
    rendered = notices.render(
        f"agent_reply.{language.value}.txt.j2", text=text, name=name, number=number
    )
    message = to_requester(
        ticket, reply, subject=ticket.subject or number, text=rendered, domain=domain
    )
    session.add(queue(message, kind=NoticeKind.RELAY, key=key, ticket_id=ticket.id, now=now))
    return True


TOLD = frozenset({Status.IN_PROGRESS, Status.WAITING_ON_USER, Status.RESOLVED})
"""The status changes an agent makes that the requester is told about."""


def tell_status(
    session: AsyncSession, ticket: Ticket, *, agent: str, domain: str, now: datetime
) -> bool:
    """Tell the requester where the ticket now stands (taken in charge, waiting on them,
    resolved), in their channel and language; False when the status is not one of `TOLD` or
    there is nowhere to answer. The caller made the change and commits."""
    status = Status(ticket.status)
    reply = reply_target(ticket)
    if status not in TOLD or reply is None:
        return False
    language = language_of(ticket.language)
    label = catalogue(language).get(f"status.label.{status}", status.value)
    rendered = notices.ticket_update(
        language=language, number=ticket.number or "", status=status, label=label, agent=agent
    )
    message = to_requester(
        ticket, reply, subject=rendered.subject, text=rendered.text, domain=domain
    )
    key = f"status:{ticket.number}:{status}:{now.timestamp():.0f}"
    session.add(
        queue(message, kind=NoticeKind.STATUS_UPDATE, key=key, ticket_id=ticket.id, now=now)
    )
    return True
