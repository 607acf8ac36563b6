"""The requester's "Réglé / Pas réglé" buttons under a self-service article in Slack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel import select

from bot.dispatch.answering import Answering
from bot.messages import say
from bot.selfservice.render import SOLVED_ACTION
from bot.store.db import Sessions
from bot.store.models import Requester, Ticket
from bot.tickets.labels import language_of
from bot.tickets.number import canonical
from bot.tickets.reply import reply_target
from intake.slack.ports import BlockAction, SlackReply

log = logging.getLogger(__name__)


def _only_requester(locale: str) -> SlackReply:
    return SlackReply(say("verdict.only_requester", language_of(locale)))


def _already(locale: str) -> SlackReply:
    return SlackReply(say("verdict.already", language_of(locale)))


class VerdictActions:
    def __init__(
        self,
        sessions: Sessions,
        *,
        answering: Answering,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._answering = answering
        self._now = now
        self._on_queued = on_queued

    async def __call__(self, action: BlockAction) -> SlackReply | None:
        keys = {f"slack:{action.team}:{action.user}", action.user_email.strip().lower()} - {""}
        async with self._sessions() as session:
            number = canonical(action.ticket)
            ticket = (
                (await session.exec(select(Ticket).where(Ticket.number == number))).first()
                if number
                else None
            )
            requester = await session.get(Requester, ticket.requester_id) if ticket else None
            if ticket is None or requester is None or requester.address not in keys:
                log.warning(
                    "slack: %s answered an article on %s, not theirs", action.user, action.ticket
                )
                return _only_requester(action.locale)
            solved = action.action_id == SOLVED_ACTION
            reply = reply_target(ticket)
            if not await self._answering.verdict(
                session, ticket, solved, "slack", self._now(), reply
            ):
                return _already(action.locale)
            await session.commit()
        self._on_queued()
        return None
