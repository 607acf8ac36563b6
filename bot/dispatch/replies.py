"""Tickets opened before their reply target was stored (migration 0007) get it once, read from
their first inbound message; `bot.tickets.reply` then never parses a raw message again."""

from __future__ import annotations

import logging

from sqlmodel import col, select

from bot.dispatch.incoming import read_incoming
from bot.store.db import Sessions
from bot.store.models import Direction, Message, Ticket
from bot.tickets.reply import NOWHERE
from intake.errors import SenderError

log = logging.getLogger(__name__)

BATCH = 500


async def fill_reply_targets(sessions: Sessions) -> int:
    """Store the reply target of every ticket without one (`NOWHERE` when the ticket has no
    readable inbound message, e.g. one opened by an agent); returns how many were filled.
    Idempotent, and a no-op on a store made after migration 0007."""
    filled = 0
    while True:
        async with sessions() as session:
            tickets = (
                await session.exec(
                    select(Ticket).where(col(Ticket.reply_to).is_(None)).limit(BATCH)
                )
            ).all()
            if not tickets:
                return filled
            for ticket in tickets:
                first = (
                    await session.exec(
                        select(Message.channel, Message.raw)
                        .where(Message.ticket_id == ticket.id, Message.direction == Direction.IN)
                        .order_by(col(Message.id))
                        .limit(1)
                    )
                ).first()
                ticket.reply_to = NOWHERE
                if first is not None:
                    try:
                        # Attachments are not needed to answer: a cap of 0 keeps metadata only.
                        incoming = read_incoming(*first, domain="invalid", attachment_cap=0)
                        ticket.reply_to = incoming.reply.to_json()
                    except SenderError:
                        pass
                session.add(ticket)
            await session.commit()
            filled += len(tickets)
            log.info("reply targets stored for %d ticket(s) opened before migration 0007", filled)
