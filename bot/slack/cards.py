"""Triage cards: posted to the level's triage channel when a ticket opens, updated in place after
each agent decision. Both go through the outbox like every other message."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.opening import awaits_confirmation
from bot.outbox_links import LINK
from bot.outbox_queue import queue
from bot.sla.calendar import Calendar
from bot.sla.policy import Policy
from bot.sla.store import load_logs
from bot.store.models import Direction, Message, Outbox, Requester, Ticket, TicketEvent
from bot.tickets.log import EventType
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage
from intake.slack.cards import CardData, Decision, card_text, decided_card, triage_card

CARD_KEY = "card:"
"""Outbox keys of cards (`card:CSC-000123`, then `card:CSC-000123:<n>` for each update)."""

_FIELDS = {
    "severity_set": "severity",
    "level_set": "level",
    EventType.TEAM_SET: "team",
    "status_changed": "status",
    EventType.ASSIGNED: "assignee",
}
SLACK_ACTOR = "slack:"


def card_key(number: str) -> str:
    return f"{CARD_KEY}{number}"


class TriageCards:
    """Builds and queues the cards; `channels` maps N1/N2/N3 to a triage channel ID."""

    def __init__(
        self,
        channels: Mapping[str, str],
        policy: Policy,
        calendars: Mapping[str, Calendar],
    ) -> None:
        self._channels = dict(channels)
        self._policy = policy
        self._calendars = calendars

    def channel_for(self, level: str | None) -> str | None:
        return self._channels.get(level or "N1") or self._channels.get("N1")

    async def opened(
        self, session: AsyncSession, ticket: Ticket, author: str, now: datetime
    ) -> bool:
        """Queue the card of a new ticket; False when no triage channel is configured."""
        channel = self.channel_for(ticket.level)
        if channel is None or ticket.number is None:
            return False
        card = await self.data(session, ticket, author, now)
        message = OutboundMessage(
            channel=Channel.SLACK,
            to=(channel,),
            subject=ticket.subject,
            text=card_text(card),
            message_id=f"<{card_key(ticket.number)}@slack>",
            blocks=json.dumps(triage_card(card)),
        )
        session.add(
            queue(
                message,
                kind=NoticeKind.CARD,
                key=card_key(ticket.number),
                ticket_id=ticket.id,
                now=now,
            )
        )
        return True

    async def moved(
        self, session: AsyncSession, ticket: Ticket, now: datetime, *, from_channel: str
    ) -> bool:
        """After a change of level: a fresh card in the new level's triage channel, when it is
        not the channel the card was in (the agents of that level must see the ticket)."""
        channel = self.channel_for(ticket.level)
        if channel is None or channel == from_channel or ticket.number is None:
            return False
        card = await self.data(session, ticket, "", now)
        decisions = await decisions_of(session, ticket)
        key = f"{card_key(ticket.number)}:to:{ticket.level}:{now.timestamp():.0f}"
        message = OutboundMessage(
            channel=Channel.SLACK,
            to=(channel,),
            subject=ticket.subject,
            text=card_text(card),
            message_id=f"<{key}@slack>",
            blocks=json.dumps(decided_card(card, decisions)),
        )
        session.add(queue(message, kind=NoticeKind.CARD, key=key, ticket_id=ticket.id, now=now))
        return True

    async def updated(
        self,
        session: AsyncSession,
        ticket: Ticket,
        now: datetime,
        *,
        channel: str = "",
        ts: str = "",
        closed: bool = False,
    ) -> None:
        """Queue the card's update in place (`channel`/`ts` of the clicked card, or the card
        posted when the ticket opened)."""
        number = ticket.number or ""
        if not channel:
            posted = (
                await session.exec(select(Outbox).where(Outbox.key == card_key(number)))
            ).first()
            if posted is None:
                return
            channel, ts = posted.recipient, LINK + card_key(number)
        decisions = await decisions_of(session, ticket)
        card = await self.data(session, ticket, "", now)
        earlier = await session.exec(
            select(Outbox.id).where(col(Outbox.key).startswith(card_key(number) + ":"))
        )
        seq = len(earlier.all()) + 1
        message = OutboundMessage(
            channel=Channel.SLACK,
            to=(channel,),
            subject=ticket.subject,
            text=card_text(card),
            message_id=f"<{card_key(number)}.{seq}@slack>",
            blocks=json.dumps(decided_card(card, decisions, closed=closed)),
            replaces=ts,
        )
        key = f"{card_key(number)}:{seq}"
        session.add(queue(message, kind=NoticeKind.CARD, key=key, ticket_id=ticket.id, now=now))

    async def data(
        self, session: AsyncSession, ticket: Ticket, author: str, now: datetime
    ) -> CardData:
        requester = await session.get(Requester, ticket.requester_id)
        proposal: Mapping[str, Any] = ticket.triage or {}
        confidence = {
            k: float(v) for k, v in (proposal.get("confidence") or {}).items() if v is not None
        }
        evidence = tuple(
            str(e.get("text", "")) for e in proposal.get("evidence") or () if isinstance(e, dict)
        )
        due = None
        if ticket.id is not None:
            logs = await load_logs(session, [ticket.id])
            clocks = logs[ticket.id].clocks(self._policy, self._calendars, now)
            due = clocks.due if clocks else None
        who = requester.name or requester.address if requester else ""
        if requester and requester.name and not requester.address.startswith(SLACK_ACTOR):
            who = f"{requester.name} <{requester.address}>"
        return CardData(
            ticket=ticket.number or "",
            summary=ticket.subject,
            requester=who,
            requester_user=author,
            kind=ticket.kind or "",
            severity=ticket.severity or "",
            level=ticket.level or "",
            team=ticket.team or "",
            confidence=confidence,
            evidence=tuple(e for e in evidence if e),
            sla_due=due,
            to_confirm=awaits_confirmation(ticket),
            excerpt=await _first_words(session, ticket),
        )


async def decisions_of(session: AsyncSession, ticket: Ticket) -> Sequence[Decision]:
    """Agents' decisions logged on the ticket from Slack, oldest first."""
    events = await session.exec(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == ticket.id,
            col(TicketEvent.actor).startswith(SLACK_ACTOR),
            col(TicketEvent.type).in_(list(_FIELDS)),
        )
        .order_by(col(TicketEvent.id))
    )
    return [
        Decision(
            user=event.actor.removeprefix(SLACK_ACTOR),
            at=event.at,
            field=_FIELDS[event.type],
            before=str(event.data.get("from") or ""),
            after=str(event.data.get("to") or ""),
        )
        for event in events
    ]


async def _first_words(session: AsyncSession, ticket: Ticket) -> str:
    """The start of what the person wrote (quotes and signature already removed when stored)."""
    body = (
        await session.exec(
            select(Message.body)
            .where(Message.ticket_id == ticket.id, Message.direction == Direction.IN)
            .order_by(col(Message.id))
            .limit(1)
        )
    ).first()
    return (body or "")[:2000]
