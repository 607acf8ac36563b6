"""Telling a person where their tickets stand, in their language, and only if they may know.

A ticket's status goes to its requester, the people the requester put in copy, and agents. Anyone else gets the
same polite answer as for a number that does not exist: ticket numbers are easy to guess, so
the answer must not tell "exists but not yours" from "no such ticket".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import catalogue, say
from bot.sla.calendar import Calendar
from bot.sla.format import instant
from bot.sla.policy import Policy
from bot.sla.store import TicketLog, load_logs
from bot.store.models import Direction, Message, Requester, Ticket, TicketEvent
from bot.tickets.labels import Status, language_of
from bot.tickets.log import EventType
from bot.tickets.number import numbers_in
from intake.mail.headers import addresses
from intake.mail.parse import read_headers

OPEN = (
    Status.NEW,
    Status.OPEN,
    Status.IN_PROGRESS,
    Status.WAITING_ON_USER,
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: every key they are known by (email, `slack:<team>:<user>`), and whether they
    are an agent."""

    keys: frozenset[str]
    language: str = "fr"
    is_agent: bool = False


def ticket_numbers(text: str) -> list[str]:
    """The ticket numbers a text names, normalised (`csc 12` is not one; `CSC-12` is)."""
    return [str(number) for number in numbers_in(text)]


def status_label(status: str, language: str) -> str:
    """A status as told to a person: `in_progress` is « pris en charge par un agent »."""
    return catalogue(language_of(language)).get(f"status.label.{status}", str(status))


def unknown_answer(number: str, language: str) -> str:
    return say("status.unknown", language_of(language), number=number)


class StatusDesk:
    """Reads what a status answer needs; clocks come from the service-level policy."""

    def __init__(self, policy: Policy, calendars: Mapping[str, Calendar]) -> None:
        self._policy = policy
        self._calendars = calendars

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def calendars(self) -> Mapping[str, Calendar]:
        return self._calendars

    async def ticket_answer(
        self, session: AsyncSession, number: str, viewer: Viewer, now: datetime
    ) -> str:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).first()
        if ticket is None or not await self.may_see(session, ticket, viewer):
            return unknown_answer(number, viewer.language)
        return (await self._describe(session, [ticket], viewer.language, now))[0]

    async def answer(
        self, session: AsyncSession, numbers: Sequence[str], viewer: Viewer, now: datetime
    ) -> str:
        """The named tickets (five at most), or the viewer's open tickets when none is named."""
        if not numbers:
            return await self.open_answer(session, viewer, now)
        found = [await self.ticket_answer(session, n, viewer, now) for n in numbers[:5]]
        return "\n".join(found)

    async def open_answer(self, session: AsyncSession, viewer: Viewer, now: datetime) -> str:
        """The viewer's own open tickets (as requester)."""
        return (await self.open_answers(session, [viewer], now))[0]

    async def open_answers(
        self, session: AsyncSession, viewers: Sequence[Viewer], now: datetime, limit: int = 20
    ) -> list[str]:
        """`open_answer` for each viewer, all read together (a storm's "any news?" messages
        cost four queries per batch, not four each): the first `limit` open tickets of each."""
        keys = {key for viewer in viewers for key in viewer.keys}
        ranked = (
            select(
                col(Ticket.id).label("ticket_id"),
                col(Requester.address).label("address"),
                func.row_number()
                .over(partition_by=col(Requester.address), order_by=col(Ticket.id))
                .label("rank"),
            )
            .join(Requester, col(Requester.id) == col(Ticket.requester_id))
            .where(col(Requester.address).in_(keys), col(Ticket.status).in_(OPEN))
            .subquery()
        )
        found = await session.exec(
            select(Ticket, ranked.c.address)
            .join(ranked, ranked.c.ticket_id == col(Ticket.id))
            .where(ranked.c.rank <= limit)  # each key's first ones: a viewer's are among them
            .order_by(col(Ticket.id))
        )
        by_key: dict[str, list[Ticket]] = {}
        for ticket, address in found.all():
            by_key.setdefault(address, []).append(ticket)
        mine = [
            sorted(
                {t.id: t for key in viewer.keys for t in by_key.get(key, ())}.values(),
                key=lambda t: t.id or 0,
            )[:limit]
            for viewer in viewers
        ]
        tickets = list({t.id: t for own in mine for t in own}.values())
        facts = await self._facts(session, tickets)
        out = []
        for viewer, own in zip(viewers, mine, strict=True):
            lang = language_of(viewer.language)
            if not own:
                out.append(say("status.none_open", lang))
                continue
            lines = self._lines(own, facts, viewer.language, now)
            out.append("\n".join([say("status.open_heading", lang), *(f"• {x}" for x in lines)]))
        return out

    async def may_see(self, session: AsyncSession, ticket: Ticket, viewer: Viewer) -> bool:
        if viewer.is_agent:
            return True
        return bool(viewer.keys & await participants(session, ticket))

    async def _describe(
        self, session: AsyncSession, tickets: Sequence[Ticket], language: str, now: datetime
    ) -> list[str]:
        """One line for each ticket."""
        return self._lines(tickets, await self._facts(session, tickets), language, now)

    @staticmethod
    async def _facts(session: AsyncSession, tickets: Sequence[Ticket]) -> _Facts:
        """The tickets' logs and latest notes, read together (a requester with twenty open
        tickets costs three queries, not forty)."""
        logs = await load_logs(
            session, [t.id for t in tickets if t.status in OPEN and t.id is not None]
        )
        notes = await last_notes(session, [t.id for t in tickets if t.id is not None])
        return _Facts(logs, notes)

    def _lines(
        self, tickets: Sequence[Ticket], facts: _Facts, language: str, now: datetime
    ) -> list[str]:
        lang = language_of(language)
        lines = []
        for ticket in tickets:
            label = status_label(ticket.status, lang)
            parts = [
                say("status.line", lang, number=ticket.number, subject=ticket.subject, label=label)
            ]
            if ticket.status in OPEN and ticket.id is not None:
                clocks = facts.logs[ticket.id].clocks(self._policy, self._calendars, now)
                if clocks is not None and clocks.due is not None:
                    parts.append(say("status.due", lang, due=instant(clocks.due)))
            note = facts.notes.get(ticket.id or 0)
            if note:
                parts.append(say("status.last_note", lang, note=note))
            lines.append("; ".join(parts) + ".")
        return lines


@dataclass(frozen=True, slots=True)
class _Facts:
    logs: Mapping[int, TicketLog]
    notes: Mapping[int, str]


async def last_notes(
    session: AsyncSession, ticket_ids: Sequence[int], limit: int = 300
) -> dict[int, str]:
    """Each ticket's latest answer an agent wrote to the requester (an `agent_reply` with its
    message), cut to `limit` characters; tickets without one are left out."""
    if not ticket_ids:
        return {}
    replies = await session.exec(
        select(TicketEvent.ticket_id, TicketEvent.data)
        .where(
            col(TicketEvent.ticket_id).in_(ticket_ids),
            TicketEvent.type == EventType.AGENT_REPLY,
        )
        .order_by(col(TicketEvent.id))
    )
    latest = {ticket_id: (data or {}).get("message") for ticket_id, data in replies}
    wanted = {ticket_id: m for ticket_id, m in latest.items() if isinstance(m, int)}
    if not wanted:
        return {}
    bodies = await session.exec(
        select(Message.id, Message.body).where(col(Message.id).in_(set(wanted.values())))
    )
    body_of = dict(bodies.all())
    out = {}
    for ticket_id, message_id in wanted.items():
        text = " ".join((body_of.get(message_id) or "").split())
        if text:
            out[ticket_id] = text if len(text) <= limit else text[: limit - 1] + "…"
    return out


async def copied(session: AsyncSession, ticket: Ticket) -> set[str]:
    """Addresses the requester put in copy (Cc) of their own emails on the ticket.

    Only the requester's messages count: anyone else's Cc on a follow-up is their word, not the
    requester's, and would let a stranger copy himself in to read the ticket's status.
    """
    requester = await session.get(Requester, ticket.requester_id)
    if requester is None:
        return set()
    raws = await session.exec(
        select(Message.raw).where(
            Message.ticket_id == ticket.id,
            Message.direction == Direction.IN,
            Message.channel == "email",
            Message.sender == requester.address,
        )
    )
    found: set[str] = set()
    for raw in raws:
        headers = read_headers(raw)
        if headers is not None:
            found.update(address for _, address in addresses(headers.raw("cc")))
    return found


async def participants(session: AsyncSession, ticket: Ticket) -> frozenset[str]:
    """Who is on the ticket besides agents: its requester and the people they put in copy."""
    requester = await session.get(Requester, ticket.requester_id)
    own = {requester.address} if requester is not None else set()
    return frozenset(own | await copied(session, ticket))
