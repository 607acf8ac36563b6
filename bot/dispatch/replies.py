"""Writing to a ticket's requester later (a status change, an agent's answer, an outage notice):
in the channel and thread the ticket came from, in the requester's language."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import notices
from bot.dispatch.incoming import read_incoming
from bot.outbox import queue
from bot.store.models import Direction, Message, Ticket
from bot.tickets.labels import language_of
from bot.tickets.outbox import NoticeKind
from bot.tickets.reply import ReplyTo
from bot.tickets.thread import new_message_id
from intake.errors import SenderError
from intake.message import Channel, OutboundMessage

log = logging.getLogger(__name__)


async def reply_target(session: AsyncSession, ticket: Ticket) -> ReplyTo | None:
    """Where the requester is answered: stored on the ticket when it opened; for a ticket opened
    before it was stored, the thread of its first message (None when the ticket has no readable
    inbound message, e.g. one opened by an agent)."""
    if ticket.reply_to is not None:
        try:
            return ReplyTo.from_json(ticket.reply_to)
        except (KeyError, TypeError, ValueError):
            log.warning("ticket %s: unreadable stored reply target, read again", ticket.number)
    raw = (
        await session.exec(
            select(Message.channel, Message.raw)
            .where(Message.ticket_id == ticket.id, Message.direction == Direction.IN)
            .order_by(col(Message.id))
            .limit(1)
        )
    ).first()
    if raw is None:
        return None
    channel, data = raw
    try:
        # Attachments are not needed to answer: a cap of 0 keeps their metadata only.
        return read_incoming(channel, data, domain="invalid", attachment_cap=0).reply
    except SenderError:
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


async def relay_answer(
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
    reply = await reply_target(session, ticket)
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
