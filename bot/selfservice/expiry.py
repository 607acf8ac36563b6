"""Nothing closes on silence: an article offered and not answered within the wait goes back to
the agents (status `open`, event `selfservice_expired`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.periodic import every
from bot.store.db import Sessions
from bot.store.models import Ticket, TicketEvent
from bot.tickets import actions
from bot.tickets.labels import Status
from bot.tickets.log import EventType

log = logging.getLogger(__name__)


async def last_offer_event(session: AsyncSession, ticket: Ticket) -> TicketEvent | None:
    """The ticket's latest self-service entry (offered, confirmed or expired), or None: an
    article awaits the requester's verdict when it is `selfservice_offered`."""
    found = await session.exec(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            col(TicketEvent.type).in_(
                [
                    EventType.SELFSERVICE_OFFERED,
                    EventType.SELFSERVICE_CONFIRMED,
                    EventType.SELFSERVICE_EXPIRED,
                ]
            ),
        )
        .order_by(col(TicketEvent.id).desc())
        .limit(1)
    )
    return found.first()


class SelfServiceExpiry:
    def __init__(
        self,
        sessions: Sessions,
        *,
        wait: timedelta,
        now: Callable[[], datetime],
        interval_seconds: float = 300,
    ) -> None:
        self._sessions = sessions
        self._wait = wait
        self._now = now
        self._interval = interval_seconds

    async def run(self) -> None:
        """Check forever (see `bot.periodic.every`)."""
        await every(
            lambda: self.check(self._now()),
            name="self-service tickets handed back to agents",
            log=log,
            interval=self._interval,
        )

    async def check(self, now: datetime) -> int:
        """Hand back to the agents every ticket whose article has waited too long."""
        async with self._sessions() as session:
            waiting = (
                await session.exec(select(Ticket).where(Ticket.status == Status.WAITING_ON_USER))
            ).all()
            handed = 0
            for ticket in waiting:
                last = await last_offer_event(session, ticket)
                if (
                    last is None
                    or last.type != EventType.SELFSERVICE_OFFERED
                    or now - last.at < self._wait
                ):
                    continue
                actions.record(
                    session,
                    ticket,
                    now,
                    EventType.SELFSERVICE_EXPIRED,
                    "bot",
                    after=str(self._wait),
                )
                await actions.set_status(session, ticket, Status.OPEN, "bot", now)
                handed += 1
            await session.commit()
        if handed:
            log.info("self-service: %d ticket(s) handed back to agents after no answer", handed)
        return handed
