"""Writes a decision into the store: requester, ticket, events, outbox rows — inside the caller's
transaction (the caller commits)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.acknowledge import Acknowledgements
from bot.dispatch.answering import Answering
from bot.dispatch.appended import before_a_read, insert_appended
from bot.dispatch.decide import (
    WITHHELD_REASONS,
    Action,
    Decision,
    Withheld,
    status_after_follow_up,
)
from bot.dispatch.incoming import Incoming
from bot.dispatch.opening import Opening, open_tickets
from bot.dispatch.outcomes import Outcomes, let_go
from bot.dispatch.prefetch import message_states, suppressed_among, tickets_named
from bot.dispatch.routes import ACKNOWLEDGE, Answer, Route
from bot.guards import suppress
from bot.organisations import Directory
from bot.outbox_queue import queued_row
from bot.store import search
from bot.store.models import (
    Attachment,
    Message,
    MessageState,
    Ticket,
)
from bot.tickets.actions import record_answer
from bot.tickets.log import EventType, move, record
from bot.tickets.outbox import NoticeKind
from bot.tickets.reply import reply_target
from bot.tickets.thread import new_message_id
from intake.message import OutboundMessage
from nlp import Triage, detect_language

log = logging.getLogger(__name__)


class OpenedHook(Protocol):
    """Told of every new ticket, inside the transaction (e.g. to queue the agents' triage card).
    `author` is the requester's chat user ID, when the ticket came from chat."""

    async def opened(
        self, session: AsyncSession, ticket: Ticket, author: str, now: datetime
    ) -> bool: ...


class TicketWriter:
    def __init__(
        self,
        *,
        directory: Directory,
        domain: str,
        bounce_suppression: timedelta = timedelta(days=30),
        on_opened: Sequence[OpenedHook] = (),
        is_agent: Callable[[str], bool] = lambda _user: False,
        answering: Answering | None = None,
    ) -> None:
        self._directory = directory
        self._domain = domain
        self._bounce_suppression = bounce_suppression
        self._on_opened = tuple(on_opened)
        self._is_agent = is_agent
        self._answering = answering
        self._acks = (
            Acknowledgements(
                answering.status.policy,
                answering.status.calendars,
                answering.broadcast.status_url,
            )
            if answering is not None
            else Acknowledgements()
        )

    async def quarantine(
        self, session: AsyncSession, message_id: int, reason: str, detail: str
    ) -> None:
        await session.exec(
            update(Message)
            .where(col(Message.id) == message_id)
            .values(
                state=MessageState.QUARANTINED,
                error_kind=reason,
                error_detail=detail[:2000],
                lease_owner=None,
                lease_until=None,
            )
        )

    async def apply(self, session: AsyncSession, writes: Sequence[Write], now: datetime) -> bool:
        """Apply each write's decision (and answer as it says), in order, in the caller's
        transaction; True when a notification was queued. What the batch needs from the store
        is read in one statement per table, and its tickets are opened together."""
        found = await message_states(session, [w.message_id for w in writes])
        live = [w for w in writes if found[w.message_id] == MessageState.RECEIVED]
        tickets = await tickets_named(
            session, {w.decision.ticket for w in live if w.decision.ticket}
        )
        suppressed = await suppressed_among(session, [w.incoming.reply for w in live], now)
        openings = [w for w in live if self._opens(w, tickets.get(w.decision.ticket or ""))]
        opened = await open_tickets(
            session,
            [Opening(w.message_id, w.incoming, w.triage) for w in openings],
            now,
            self._directory,
        )
        new = {w.message_id: t for w, t in zip(openings, opened, strict=True)}
        asking = [w for w in live if self._asks_open(w, tickets.get(w.decision.ticket or ""))]
        texts: dict[int, str] = {}
        acks: list[dict[str, Any]] = []  # the plain acknowledgements' outbox rows
        outcomes = Outcomes()  # what the messages' rows become
        queued = False
        for write in live:
            ticket = tickets.get(write.decision.ticket or "")
            outcomes.add(write, _ticket_of(write, ticket, new.get(write.message_id)))
            first_asking = bool(asking) and write is asking[0]
            if self._reads_store(write):  # what is pending goes in at once, not a row at a time
                everything = bool(self._on_opened) or first_asking
                touched = _recipients(write, ticket) if acks else set()
                await before_a_read(session, acks, touched, all_=everything)
                await outcomes.write(session)  # this message's too: what it reads includes it
            if first_asking:  # all of the batch's, as the store is now
                texts = await self._open_status_texts(session, asking, now)
                asking = []
            queued |= await self._apply(
                session,
                write,
                ticket,
                new.get(write.message_id),
                write.incoming.reply.address.lower() in suppressed,
                now,
                texts.get(write.message_id),
                acks,
            )
        await outcomes.write(session)
        await let_go(
            session, [w.message_id for w in writes if found[w.message_id] != MessageState.RECEIVED]
        )
        await insert_appended(session, acks)
        return queued

    def _reads_store(self, write: Write) -> bool:
        """Does this write query the store (and so flush what earlier writes left pending, the
        ORM's way: one statement per row)? A plain acknowledgement of a new ticket does not."""
        plain = (
            write.decision.action == Action.NEW_TICKET and write.answer.route == Route.ACKNOWLEDGE
        )
        return bool(self._on_opened) or not plain

    def _asks_open(self, write: Write, ticket: Ticket | None) -> bool:
        """Is this write answered, without a ticket, with the sender's open tickets (a status
        question naming none; `_apply` below takes the same path)?"""
        answer = write.answer
        return (
            _stands_alone(write, ticket)
            and self._answering is not None
            and answer.route == Route.STATUS
            and not answer.numbers
        )

    async def _open_status_texts(
        self, session: AsyncSession, asking: Sequence[Write], now: datetime
    ) -> dict[int, str]:
        assert self._answering is not None
        found = await self._answering.open_status_texts(
            session, [(w.incoming, _language(w.incoming, w.triage)) for w in asking], now
        )
        return {w.message_id: text for w, text in zip(asking, found, strict=True)}

    def _opens(self, write: Write, ticket: Ticket | None) -> bool:
        """Does this write open a ticket (`_apply` below takes the same path)?"""
        return _stands_alone(write, ticket) and (
            write.answer.opens_ticket or self._answering is None
        )

    async def _apply(
        self,
        session: AsyncSession,
        write: Write,
        ticket: Ticket | None,
        opened: Ticket | None,
        suppressed: bool,
        now: datetime,
        status_text: str | None,
        acks: list[dict[str, Any]],
    ) -> bool:
        message_id, incoming, decision = write.message_id, write.incoming, write.decision
        triage, answer = write.triage, write.answer
        for part in incoming.attachments:
            session.add(
                Attachment(
                    message_id=message_id,
                    filename=part.filename[:255],
                    content_type=part.content_type[:127],
                    size=part.size,
                    inline=part.inline,
                    content=part.content,
                )
            )
        if decision.action == Action.AUTOMATED:
            log.info(
                "no acknowledgement: automated mail (%s), message %s%s",
                incoming.automated,
                message_id,
                f", attached to {decision.ticket}" if decision.ticket else "",
            )
            bounce = incoming.bounce
            if bounce is not None and bounce.permanent and bounce.recipients:
                reason = f"hard bounce {bounce.status}".strip()
                await suppress(
                    session, bounce.recipients, until=now + self._bounce_suppression, reason=reason
                )
            if ticket is not None:
                record(
                    session,
                    ticket,
                    now,
                    EventType.AUTOMATED_MAIL,
                    message=message_id,
                    automated=str(incoming.automated),
                )
            return False
        if decision.action == Action.FOLLOW_UP and ticket is not None:
            return await self._on_follow_up(
                session, ticket, incoming, message_id, decision, answer, now
            )
        assert triage is not None or decision.action == Action.NEW_TICKET
        language = _language(incoming, triage)
        if not answer.opens_ticket and self._answering is not None:
            await self._answering.without_ticket(
                session, message_id, incoming, answer, language, now, text=status_text
            )
            log.info("%s answer queued for message %s (no ticket)", answer.route, message_id)
            return True
        assert opened is not None  # `_opens` said so
        ticket = opened
        _log_opened(ticket, triage)
        if decision.claimed is not None:
            # Its sender is not on the ticket it names: kept apart, for an agent to link.
            record(session, ticket, now, EventType.NOT_ON_TICKET, claimed=decision.claimed)
            log.info(
                "ticket %s names %s, whose people do not include its sender: kept apart",
                ticket.number,
                decision.claimed,
            )
        withheld = decision.withheld
        if withheld is None and suppressed:
            withheld = Withheld.SUPPRESSED_ADDRESS
        if withheld is not None:
            record(session, ticket, now, EventType.ACK_WITHHELD, reason=withheld)
            log.info("no acknowledgement for %s: %s", ticket.number, WITHHELD_REASONS[withheld])
            answered = False
        elif self._answering is not None and await self._answering.with_ticket(
            session, ticket, incoming, answer, now
        ):
            log.info("answer queued for %s: %s", ticket.number, answer.route)
            answered = True
        else:
            acks.append(self._acknowledgement(ticket, incoming, triage, now))
            log.info("acknowledgement queued for %s (%s)", ticket.number, incoming.reply.channel)
            answered = True
        if self._on_opened:  # a hook reads the store: it finds the acknowledgement there
            await insert_appended(session, acks)
        for hook in self._on_opened:  # after the answer: the card shows where the ticket went
            answered |= await hook.opened(session, ticket, incoming.author, now)
        return answered

    async def _on_follow_up(
        self,
        session: AsyncSession,
        ticket: Ticket,
        incoming: Incoming,
        message_id: int,
        decision: Decision,
        answer: Answer,
        now: datetime,
    ) -> bool:
        """Add the message to its ticket; it may be an agent's answer, the verdict on an
        article, or ask where the ticket stands (answered in the thread)."""
        if incoming.author and self._is_agent(incoming.author):
            return await self._agent_answer(session, ticket, incoming, message_id, now)
        if self._answering is None:
            await self._follow_up(session, ticket, incoming, message_id, decision, now)
            return False
        if await self._answering.follow_up(session, ticket, incoming, now):
            record(
                session, ticket, now, EventType.MESSAGE_ADDED, message=message_id, reason="verdict"
            )
            return True
        await self._follow_up(session, ticket, incoming, message_id, decision, now)
        if answer.route != Route.STATUS:
            return False
        numbers = answer.numbers or (ticket.number or "",)
        await self._answering.without_ticket(
            session,
            message_id,
            incoming,
            Answer(Route.STATUS, numbers=numbers),
            ticket.language,
            now,
        )
        return True

    async def _agent_answer(
        self,
        session: AsyncSession,
        ticket: Ticket,
        incoming: Incoming,
        message_id: int,
        now: datetime,
    ) -> bool:
        """An agent wrote in a ticket's Slack thread. In the requester's own thread it is an
        answer (they read it there). Anywhere else, under the triage card for one, it is an
        internal note: logged, never sent (a public answer is `/csc répondre`)."""
        actor = f"slack:{incoming.author}"
        reply = reply_target(ticket)
        here = incoming.reply
        if reply is not None and (reply.address, reply.thread) == (here.address, here.thread):
            await record_answer(session, ticket, True, now, actor=actor, message=message_id)
        else:
            record(session, ticket, now, EventType.NOTE_ADDED, actor, message=message_id)
        return False

    async def _follow_up(
        self,
        session: AsyncSession,
        ticket: Ticket,
        incoming: Incoming,
        message_id: int,
        decision: Decision,
        now: datetime,
    ) -> None:
        record(
            session,
            ticket,
            now,
            EventType.MESSAGE_ADDED,
            message=message_id,
            reason=decision.thread_reason,
        )
        move(session, ticket, status_after_follow_up(ticket.status), "bot", now)
        ticket.updated_at = now
        assert ticket.id is not None
        await search.add_text(session, ticket.id, incoming.body)

    def _acknowledgement(
        self, ticket: Ticket, incoming: Incoming, triage: Triage | None, now: datetime
    ) -> dict[str, Any]:
        number = ticket.number or ""
        reply = incoming.reply
        rendered = self._acks.render(
            language=ticket.language,
            number=number,
            name=incoming.sender_name,
            subject=incoming.subject,
            triage=triage,
            opened=now,
            channel=reply.channel,
        )
        outbound = OutboundMessage(
            channel=reply.channel,
            to=(reply.address,),
            to_name=reply.name,
            subject=rendered.subject,
            text=rendered.text,
            message_id=new_message_id(number, self._domain),
            in_reply_to=reply.in_reply_to,
            references=reply.references,
            thread=reply.thread,
        )
        return queued_row(
            outbound, kind=NoticeKind.ACK, key=f"ack:{number}", ticket_id=ticket.id, now=now
        )


def _recipients(write: Write, ticket: Ticket | None) -> set[str]:
    """Whom `write` may queue a row to (lower case): its sender, and the requester of the
    ticket it follows up."""
    touched = {write.incoming.reply.address.lower()}
    target = reply_target(ticket) if ticket is not None else None
    if target is not None:
        touched.add(target.address.lower())
    return touched


def _ticket_of(write: Write, ticket: Ticket | None, opened: Ticket | None) -> int | None:
    """The ticket a message goes to: the one it follows up or (automated mail) names, or the
    one it opens; None when it is answered without one (`_apply` takes the same paths)."""
    if ticket is not None and not _stands_alone(write, ticket):
        return ticket.id
    return opened.id if opened is not None else None


def _stands_alone(write: Write, ticket: Ticket | None) -> bool:
    """Is this write neither automated mail nor added to a ticket it follows up: it opens one,
    or is answered without one."""
    action = write.decision.action
    return action != Action.AUTOMATED and not (action == Action.FOLLOW_UP and ticket is not None)


def _language(incoming: Incoming, triage: Triage | None) -> str:
    return triage.language if triage else detect_language(incoming.body)


def _log_opened(ticket: Ticket, triage: Triage | None) -> None:
    """One operator line per new ticket (no address, no text: the number says where to look)."""
    proposal = (
        f"proposed kind {triage.kind}, severity {triage.severity or '-'}, "
        f"level {triage.level}, team {triage.team}"
        if triage is not None
        else "no proposal"
    )
    log.info(
        "ticket %s opened: channel %s, organisation %s, %s",
        ticket.number,
        ticket.channel,
        ticket.organisation,
        proposal,
    )


@dataclass(frozen=True, slots=True)
class Write:
    """What to write for one message: how it was read, what was decided, proposed and
    chosen as its answer."""

    message_id: int
    incoming: Incoming
    decision: Decision
    triage: Triage | None
    answer: Answer = ACKNOWLEDGE
