"""`SlackCommands` for the bot: `/csc` for everyone, the triage card's buttons for agents.

Every agent decision goes through `bot.sla.actions` (so clocks and reports read one log), is
logged with the agent as actor (`slack:<user>`), updates the card in place and, when the
status changes, tells the requester in their channel. Refusals are logged (who, what).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import say
from bot.slack.cards import SLACK_ACTOR, TriageCards
from bot.status import StatusDesk, Viewer, ticket_numbers
from bot.store.db import Sessions
from bot.store.models import Ticket
from bot.tickets import actions
from bot.tickets.errors import TicketRuleError
from bot.tickets.labels import Status, language_of
from bot.tickets.log import EventType
from bot.tickets.number import canonical
from bot.tickets.reply import tell_status
from intake.slack import cards as ids
from intake.slack.agents import AgentDirectory, refusal
from intake.slack.ports import BlockAction, SlackReply, SlashCommand
from nlp.labels import Kind, Level, Severity, Team

log = logging.getLogger(__name__)

CommandHandler = Callable[[SlashCommand, str], Awaitable[SlackReply]]
"""A further `/csc` verb (e.g. `panne`): given the command and the text after the verb."""
ActionHandler = Callable[[BlockAction], Awaitable[SlackReply | None]]
"""Buttons of other cards (self-service answers, proposed incidents), by action-ID prefix."""

_STATUS = {"status", "statut", "état", "etat"}
_MINE = {"mes-billets", "mes_billets", "mesbillets", "my-tickets", "mine", "billets", "tickets"}


def help_text(language: str) -> str:
    return say("desk.usage", language_of(language))


def viewer_of(team: str, user: str, email: str, locale: str, agents: AgentDirectory) -> Viewer:
    keys = {f"slack:{team}:{user}"} | ({email.strip().lower()} if email.strip() else set())
    return Viewer(frozenset(keys), language_of(locale), agents.is_agent(user))


class SlackDesk:
    def __init__(
        self,
        sessions: Sessions,
        *,
        agents: AgentDirectory,
        cards: TriageCards,
        status: StatusDesk,
        domain: str,
        now: Callable[[], datetime],
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self.agents = agents
        self.cards = cards
        self._status = status
        self._domain = domain
        self._now = now
        self._on_queued = on_queued
        self.commands: dict[str, CommandHandler] = {}
        self.actions: dict[str, ActionHandler] = {}

    # -- /csc ----------------------------------------------------------------------------------

    async def command(self, cmd: SlashCommand) -> SlackReply:
        viewer = viewer_of(cmd.team, cmd.user, cmd.user_email, cmd.locale, self.agents)
        verb, _, rest = cmd.text.strip().partition(" ")
        verb = verb.lower()
        if verb in self.commands:
            return await self.commands[verb](cmd, rest.strip())
        async with self._sessions() as session:
            if verb in _STATUS:
                numbers = ticket_numbers(rest)
                if not numbers:
                    return SlackReply(help_text(viewer.language))
                return SlackReply(await self._status.answer(session, numbers, viewer, self._now()))
            if verb in _MINE:
                return SlackReply(await self._status.answer(session, (), viewer, self._now()))
        return SlackReply(help_text(viewer.language))

    # -- buttons -------------------------------------------------------------------------------

    async def action(self, action: BlockAction) -> SlackReply | None:
        for prefix, handler in self.actions.items():
            if action.action_id.startswith(prefix):
                return await handler(action)
        agent = self.agents.get(action.user)
        if agent is None:
            log.warning(
                "slack: refused %s on %s to %s (not an agent)",
                action.action_id,
                action.ticket,
                action.user,
            )
            return refusal(action.locale)
        for attempt in (1, 2):
            try:
                return await self._decide(action, covers=agent.covers)
            except IntegrityError:  # two clicks raced for the same card update: once more
                if attempt == 2:
                    raise
        return None

    async def _decide(
        self, action: BlockAction, *, covers: Callable[..., bool]
    ) -> SlackReply | None:
        language = language_of(action.locale)
        now = self._now()
        async with self._sessions() as session:
            number = canonical(action.ticket)
            ticket = (
                (await session.exec(select(Ticket).where(Ticket.number == number))).first()
                if number
                else None
            )
            if ticket is None:
                return SlackReply(say("rule.not_found", language, number=action.ticket[:64]))
            if not covers(team=ticket.team or "", level=ticket.level or ""):
                log.warning(
                    "slack: refused %s on %s to %s (not their team or level)",
                    action.action_id,
                    ticket.number,
                    action.user,
                )
                return refusal(action.locale)
            before = ticket.status
            try:
                await self._apply(session, ticket, action, now)
            except TicketRuleError as refused:
                return SlackReply(say("rule.refused", language, reason=refused.render(language)))
            except ValueError:  # a choice none of our cards offers: a forged or stale payload
                return SlackReply(say("rule.bad_choice", language, action=action.action_id[:40]))
            closed = ticket.status in (Status.RESOLVED, Status.CLOSED)
            await self.cards.updated(
                session, ticket, now, channel=action.channel, ts=action.message_ts, closed=closed
            )
            if action.action_id == ids.LEVEL:
                await self.cards.moved(session, ticket, now, from_channel=action.channel)
            if ticket.status != before:
                await self._tell_requester(session, ticket, action, now)
            await session.commit()
        self._on_queued()
        return None

    async def _apply(
        self, session: AsyncSession, ticket: Ticket, action: BlockAction, now: datetime
    ) -> None:
        actor = SLACK_ACTOR + action.user
        choice = action.selected
        match action.action_id:
            case ids.CONFIRM:
                await actions.confirm_proposal(session, ticket, actor, now)
            case ids.TAKE:
                if ticket.assignee != actor:
                    actions.record(
                        session,
                        ticket,
                        now,
                        EventType.ASSIGNED,
                        actor,
                        **{"from": ticket.assignee, "to": actor},
                    )
                    ticket.assignee = actor
                if ticket.status == Status.NEW:
                    with contextlib.suppress(TicketRuleError):  # no severity to confirm: take it
                        await actions.confirm_proposal(session, ticket, actor, now)
                await actions.set_status(session, ticket, Status.IN_PROGRESS, actor, now)
            case ids.RESOLVE:
                await actions.set_status(session, ticket, Status.RESOLVED, actor, now)
            case ids.SEVERITY:
                await actions.set_severity(
                    session, ticket, Severity(choice), actor, now, kind=Kind.INCIDENT
                )
            case ids.LEVEL:
                await actions.set_level(session, ticket, Level(choice), actor, now)
            case ids.TEAM:
                team = Team(choice)
                if ticket.team != team:
                    actions.record(
                        session,
                        ticket,
                        now,
                        EventType.TEAM_SET,
                        actor,
                        **{"from": ticket.team, "to": team},
                    )
                    ticket.team = team
            case _:
                raise ValueError(f"unknown action {action.action_id}")

    async def _tell_requester(
        self, session: AsyncSession, ticket: Ticket, action: BlockAction, now: datetime
    ) -> None:
        tell_status(session, ticket, agent=action.user_name, domain=self._domain, now=now)
