"""Tickets that report a known outage: linked to it, answered with what is known, told once at
its resolution, in their language, in the channel and thread they wrote from."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outages import render
from bot.outages.broadcast import Broadcast, prefix
from bot.outages.draft import OutageStatus
from bot.outages.errors import InvalidOutage
from bot.outbox_queue import queue
from bot.sla.store import utc
from bot.store.models import Outage, OutageNotice, Outbox, Ticket
from bot.tickets.actions import record, set_status
from bot.tickets.labels import Status, language_of
from bot.tickets.log import EventType
from bot.tickets.outbox import NoticeKind
from bot.tickets.reply import reply_target, to_requester
from bot.tickets.reply_to import ReplyTo
from intake.message import Channel
from nlp.labels import Language

log = logging.getLogger(__name__)


async def link_ticket(
    session: AsyncSession, outage: Outage, ticket: Ticket, now: datetime, *, actor: str = "bot"
) -> bool:
    """Make `ticket` a report of `outage` (status ``linked``); False when it already is."""
    if outage.status == OutageStatus.RESOLVED:
        raise InvalidOutage("number", f"{outage.number} is resolved; nothing to link to")
    if ticket.outage_id == outage.id:
        return False
    if ticket.id is None or outage.id is None:
        raise ValueError("flush the ticket and the outage (give them ids) before linking")
    ticket.outage_id = outage.id
    await set_status(session, ticket, Status.LINKED, actor, now)
    record(session, ticket, now, EventType.OUTAGE_LINKED, actor, outage=outage.number)
    return True


def notice_for_requester(
    outage: Outage,
    language: str,
    *,
    ticket: str = "",
    channel: Channel | str = Channel.EMAIL,
    name: str = "",
    status_url: str = "",
) -> tuple[str, str]:
    """(subject, text) answering a new report of a known outage, instead of the generic
    acknowledgement: what is known, the expected end, and that the requester will be told."""
    return render.requester_notice(
        outage,
        language,
        ticket=ticket,
        chat=channel != Channel.EMAIL,
        name=name,
        status_url=status_url,
    )


async def answer_report(
    session: AsyncSession,
    outage: Outage,
    ticket: Ticket,
    reply: ReplyTo,
    now: datetime,
    broadcast: Broadcast,
) -> bool:
    """Link a new ticket to `outage` and queue `notice_for_requester` to its requester (key
    ``outage:<number>:known:<ticket>``); False when the ticket was already linked."""
    if not await link_ticket(session, outage, ticket, now):
        return False
    subject, text = notice_for_requester(
        outage,
        ticket.language,
        ticket=ticket.number or "",
        channel=reply.channel,
        name=reply.name,
        status_url=broadcast.status_url,
    )
    message = to_requester(ticket, reply, subject=subject, text=text, domain=broadcast.mail_domain)
    key = f"{prefix(outage)}known:{ticket.number}"
    session.add(
        queue(message, kind=NoticeKind.OUTAGE_KNOWN, key=key, ticket_id=ticket.id, now=utc(now))
    )
    return True


async def tell_linked(
    session: AsyncSession,
    outage: Outage,
    notice: OutageNotice,
    actor: str,
    now: datetime,
    broadcast: Broadcast,
) -> None:
    """Each ticket still ``linked`` to the outage: one notice to its requester, then resolved.

    A ticket an agent took out of ``linked`` (reopened, answered) is being handled on its own.
    """
    tickets: Sequence[Ticket] = (
        await session.exec(
            select(Ticket)
            .where(Ticket.outage_id == outage.id, Ticket.status == Status.LINKED)
            .order_by(col(Ticket.id))
        )
    ).all()
    done_prefix = f"{prefix(outage)}resolved:"
    told = set(
        (
            await session.exec(
                select(Outbox.key).where(col(Outbox.key).startswith(done_prefix, autoescape=True))
            )
        ).all()
    )
    # Every read first: the writes below then flush once, at the commit, not before each read.
    replies = [(ticket, reply_target(ticket)) for ticket in tickets]
    for ticket, reply in replies:
        key = f"{done_prefix}{ticket.number}"
        if key not in told and reply is not None:
            subject, text = render.requester_notice(
                outage,
                ticket.language,
                resolved=True,
                ticket=ticket.number or "",
                chat=reply.channel != Channel.EMAIL,
                name=reply.name,
                text=_own_words(notice, ticket.language),
            )
            message = to_requester(
                ticket, reply, subject=subject, text=text, domain=broadcast.mail_domain
            )
            session.add(
                queue(message, kind=NoticeKind.OUTAGE_DONE, key=key, ticket_id=ticket.id, now=now)
            )
        elif reply is None:
            log.info("%s: no conversation to answer on; resolved silently", ticket.number)
        await set_status(session, ticket, Status.RESOLVED, actor, now)


def _own_words(notice: OutageNotice, language: str) -> str:
    """The resolution's text, unless it is the standard one the notice already says."""
    lang = language_of(language)
    text = notice.text_en if lang == Language.EN else notice.text_fr
    return "" if text == render.restored(lang) else render.shown(text, multiline=True)
