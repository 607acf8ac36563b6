"""Writing the answers `bot.dispatch.routes` chooses, inside the dispatcher's transaction: a
status answer without a ticket, the outage notice, a redirection, a self-service article, and
the requester's "solved / not solved" that follows it."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import notices
from bot.dispatch.incoming import Incoming
from bot.dispatch.routes import Answer, Route
from bot.messages import say
from bot.outages.broadcast import Broadcast
from bot.outages.linked import answer_report
from bot.outages.render import shown
from bot.outbox_queue import queue
from bot.selfservice import render
from bot.selfservice.confirm import read_confirmation
from bot.selfservice.expiry import last_offer_event
from bot.status import StatusDesk, Viewer
from bot.store.models import Outage, Ticket
from bot.tickets import actions
from bot.tickets.labels import Status, language_of
from bot.tickets.log import EventType
from bot.tickets.outbox import NoticeKind
from bot.tickets.reply import to_requester
from bot.tickets.reply_to import ReplyTo
from intake.message import Channel, OutboundMessage
from intake.slack.cards import local_time

_NOTICE = {Route.REDIRECT: NoticeKind.REDIRECT, Route.SELF_SERVICE: NoticeKind.SELF_SERVICE}
"""What a route's answer to a new ticket is, as an outbox row."""


@dataclass(frozen=True, slots=True)
class Answering:
    status: StatusDesk
    broadcast: Broadcast
    is_agent: Callable[[str], bool] = lambda _user: False

    # -- answers without a ticket --------------------------------------------------------------

    async def without_ticket(
        self,
        session: AsyncSession,
        message_id: int,
        incoming: Incoming,
        answer: Answer,
        language: str,
        now: datetime,
        *,
        text: str | None = None,
    ) -> None:
        """Queue the answer; `text`, when given, is its status answer read beforehand
        (`open_status_texts`)."""
        if answer.route == Route.OUTAGES:
            text = outages_text(answer.outages, language, self.broadcast.status_url)
        elif text is None:
            text = await self.status_text(session, incoming, answer.numbers, language, now)
        subject = ("Re: " if incoming.subject else "") + (
            incoming.subject or say("answer.default_subject", language_of(language))
        )
        reply = incoming.reply
        outbound = OutboundMessage(
            channel=reply.channel,
            to=(reply.address,),
            to_name=reply.name,
            subject=subject,
            text=text,
            message_id=f"answer.{secrets.token_hex(8)}@{self.broadcast.mail_domain}",
            in_reply_to=reply.in_reply_to,
            references=reply.references,
            thread=reply.thread,
        )
        session.add(
            queue(
                outbound,
                kind=NoticeKind.ANSWER,
                key=f"answer:{message_id}",
                ticket_id=None,
                now=now,
            )
        )

    async def status_text(
        self,
        session: AsyncSession,
        incoming: Incoming,
        numbers: Sequence[str],
        language: str,
        now: datetime,
    ) -> str:
        return await self.status.answer(session, numbers, self._viewer(incoming, language), now)

    async def open_status_texts(
        self, session: AsyncSession, asking: Sequence[tuple[Incoming, str]], now: datetime
    ) -> list[str]:
        """The answers to many "where do my tickets stand?" (each message with its language)
        naming no ticket, read together."""
        viewers = [self._viewer(incoming, language) for incoming, language in asking]
        return await self.status.open_answers(session, viewers, now)

    def _viewer(self, incoming: Incoming, language: str) -> Viewer:
        agent = bool(incoming.author) and self.is_agent(incoming.author)
        return Viewer(frozenset({incoming.sender}), language, agent)

    # -- answers with a new ticket -------------------------------------------------------------

    async def with_ticket(
        self,
        session: AsyncSession,
        ticket: Ticket,
        incoming: Incoming,
        answer: Answer,
        now: datetime,
    ) -> bool:
        """Answer a new ticket's requester; False when the plain acknowledgement is due."""
        if answer.route == Route.KNOWN_OUTAGE and answer.outage is not None:
            return await answer_report(
                session, answer.outage, ticket, incoming.reply, now, self.broadcast
            )
        language = ticket.language
        number = ticket.number or ""
        channel = "email" if incoming.channel == Channel.EMAIL else "chat"
        blocks: list[dict[str, Any]] | None = None
        if answer.route == Route.REDIRECT and answer.redirect is not None:
            target = answer.redirect.redirect
            rendered = render.redirect_answer(language, number, target, channel)
            actions.record(session, ticket, now, EventType.REDIRECTED, "bot", to=target.id)
            await actions.set_status(session, ticket, Status.REDIRECTED, "bot", now)
        elif answer.route == Route.SELF_SERVICE and answer.article is not None:
            article = answer.article.article
            rendered = render.kb_answer(language, number, article, channel)
            if incoming.channel == Channel.SLACK:
                blocks = render.kb_buttons(number, language, article)
            actions.record(
                session, ticket, now, EventType.SELFSERVICE_OFFERED, "bot", article=article.slug
            )
            await actions.set_status(session, ticket, Status.WAITING_ON_USER, "bot", now)
        else:
            return False
        message = to_requester(
            ticket,
            incoming.reply,
            subject=rendered.subject,
            text=rendered.text,
            domain=self.broadcast.mail_domain,
            blocks=json.dumps(blocks) if blocks else None,
        )
        session.add(
            queue(
                message,
                kind=_NOTICE[answer.route],
                key=f"{answer.route}:{number}",
                ticket_id=ticket.id,
                now=now,
            )
        )
        return True

    # -- the requester's verdict on an article -------------------------------------------------

    async def verdict(
        self,
        session: AsyncSession,
        ticket: Ticket,
        solved: bool,
        via: str,
        now: datetime,
        reply: ReplyTo | None = None,
    ) -> bool:
        """Record "solved" (resolved at first contact) or "not solved" (back to the agents), and
        say so to `reply`; False when no article is waiting for a verdict on this ticket."""
        if not await awaiting_verdict(session, ticket):
            return False
        actions.record(
            session,
            ticket,
            now,
            EventType.SELFSERVICE_CONFIRMED,
            "bot",
            answer="solved" if solved else "unsolved",
            via=via,
        )
        to = Status.RESOLVED if solved else Status.OPEN
        await actions.set_status(session, ticket, to, "requester", now)
        if reply is not None:
            language = language_of(ticket.language)
            said = "answer.thanks" if solved else "answer.handover"
            text = say(said, language, number=ticket.number)
            message = to_requester(
                ticket,
                reply,
                subject=say("answer.verdict_subject", language),
                text=text,
                domain=self.broadcast.mail_domain,
            )
            key = f"verdict:{ticket.number}"
            session.add(
                queue(message, kind=NoticeKind.VERDICT, key=key, ticket_id=ticket.id, now=now)
            )
        return True

    async def follow_up(
        self, session: AsyncSession, ticket: Ticket, incoming: Incoming, now: datetime
    ) -> bool:
        """A reply on a ticket whose article awaits a verdict: "résolu" / "pas réglé"."""
        if ticket.status != Status.WAITING_ON_USER:
            return False
        said = read_confirmation(incoming.body)
        if said is None:
            return False
        via = "email" if incoming.channel == Channel.EMAIL else "slack"
        return await self.verdict(session, ticket, said == "solved", via, now, incoming.reply)


async def awaiting_verdict(session: AsyncSession, ticket: Ticket) -> bool:
    last = await last_offer_event(session, ticket)
    return last is not None and last.type == EventType.SELFSERVICE_OFFERED


def outages_text(outages: Sequence[Outage], language: str, status_url: str) -> str:
    lang = language_of(language)
    listed = [
        {
            "title_fr": shown(o.title_fr),
            "title_en": shown(o.title_en),
            "status": o.status,
            "start": local_time(o.starts_at),
            "end": local_time(o.expected_end) if o.expected_end else "",
        }
        for o in outages
    ]
    template = f"outages_answer.{lang.value}.txt.j2"
    return notices.render(template, outages=listed, status_url=status_url)
