"""`/csc répondre CSC-000123 Texte…` for agents: a public answer, sent to the requester.

A reply an agent writes in a triage card's thread is an internal note (never sent); writing to
the person is this explicit command. The text reaches the requester in the channel and thread
their ticket came from (mail or their Slack thread), under the agent's name, in their language;
the answer is logged (``agent_reply``, the agent as actor) and counts for the clocks.

Agents only, within their teams and levels; anyone else is refused and the refusal logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel import select

from bot.messages import say
from bot.store.db import Sessions
from bot.store.models import Ticket
from bot.tickets.actions import record_answer
from bot.tickets.labels import language_of
from bot.tickets.number import canonical
from bot.tickets.reply import relay_answer
from intake.slack.agents import AgentDirectory, refusal
from intake.slack.ports import SlackReply, SlashCommand

log = logging.getLogger(__name__)

MAX_CHARS = 4000
"""Longer answers belong in a mail; Slack's own limit for a message's text is 40,000."""


class ReplyCommand:
    def __init__(
        self,
        sessions: Sessions,
        *,
        agents: Callable[[], AgentDirectory],
        domain: str,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._agents = agents
        self._domain = domain
        self._now = now
        self._on_queued = on_queued

    async def __call__(self, cmd: SlashCommand, text: str) -> SlackReply:
        language = language_of(cmd.locale)
        agent = self._agents().get(cmd.user)
        if agent is None:
            log.warning("slack: refused /csc répondre to %s (not an agent)", cmd.user)
            return refusal(cmd.locale)
        claimed, _, body = text.strip().partition(" ")
        number, body = canonical(claimed), body.strip()
        if number is None or not body:
            return SlackReply(say("reply_command.usage", language))
        if len(body) > MAX_CHARS:
            return SlackReply(say("reply_command.too_long", language, limit=MAX_CHARS))
        now = self._now()
        actor = f"slack:{cmd.user}"
        async with self._sessions() as session:
            ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).first()
            if ticket is None:
                return SlackReply(say("rule.not_found", language, number=number))
            if not agent.covers(team=ticket.team or "", level=ticket.level or ""):
                log.warning(
                    "slack: refused /csc répondre on %s to %s (not their team or level)",
                    number,
                    cmd.user,
                )
                return refusal(cmd.locale)
            key = f"relay:slash:{cmd.team}:{cmd.user}:{cmd.trigger_id or now.timestamp()}"
            sent = relay_answer(
                session,
                ticket,
                text=body,
                name=cmd.user_name,
                key=key[:200],
                domain=self._domain,
                now=now,
            )
            if not sent:
                return SlackReply(say("reply_command.nowhere", language, number=number))
            await record_answer(session, ticket, True, now, actor=actor)
            await session.commit()
        self._on_queued()
        return SlackReply(say("reply_command.sent", language, number=number))
