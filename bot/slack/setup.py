"""Building the Slack parts from `Settings`: the desk (commands, buttons, cards) and the
connector, and the agents of the configured user groups once Slack answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.dispatch.answering import Answering
from bot.outages.broadcast import Broadcast
from bot.selfservice.gather import GatherConfig
from bot.settings import Settings
from bot.settings_slack import AgentEntry
from bot.sla.calendar import Calendar
from bot.sla.policy import Policy
from bot.slack.burst import BurstActions
from bot.slack.cards import TriageCards
from bot.slack.desk import SlackDesk
from bot.slack.outage_command import OutageCommand
from bot.slack.reply_command import ReplyCommand
from bot.slack.verdict import VerdictActions
from bot.status import StatusDesk
from bot.store.db import Sessions
from bot.store.models import Message
from intake.slack.agents import AgentDirectory, AgentGrant, groups
from intake.slack.connector import SlackConfig, SlackConnector
from intake.slack.envelope import any_team

log = logging.getLogger(__name__)


def slack_desk(
    settings: Settings,
    sessions: Sessions,
    policy: Policy,
    calendars: Mapping[str, Calendar],
    *,
    now: Callable[[], datetime],
    on_queued: Callable[[], None],
) -> SlackDesk | None:
    """None when no bot token is configured: the Slack connector is simply off."""
    if not settings.slack_bot_token.get_secret_value():
        return None
    return SlackDesk(
        sessions,
        agents=AgentDirectory.from_config(agent_grants(settings.slack_agents)),
        cards=TriageCards(
            {str(level): channel for level, channel in settings.slack_triage_channels.items()},
            policy,
            calendars,
        ),
        status=StatusDesk(policy, calendars),
        domain=settings.message_id_domain,
        now=now,
        on_queued=on_queued,
    )


def slack_connector(settings: Settings, sessions: Sessions, desk: SlackDesk) -> SlackConnector:
    async def is_ticket_thread(root: str) -> bool:
        """A person's message that is a ticket, or one of our posts about a ticket (a card)."""
        _, _, channel, ts = root.split(":", 3)
        async with sessions() as session:
            found = await session.exec(
                select(Message.id).where(
                    col(Message.message_id).in_([root, any_team(channel, ts)]),
                    col(Message.ticket_id).is_not(None),
                )
            )
            return found.first() is not None

    config = SlackConfig(
        bot_token=settings.slack_bot_token.get_secret_value(),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        api_url=settings.slack_api_url,
        app_token=settings.slack_app_token.get_secret_value(),
        support_channels=frozenset(settings.slack_support_channels),
        reaction=settings.slack_reaction,
    )
    return SlackConnector(config, desk, is_ticket_thread=is_ticket_thread)


def gather_config(settings: Settings) -> GatherConfig:
    return GatherConfig(
        window=timedelta(minutes=settings.gather_window_minutes),
        threshold=settings.gather_similarity,
        min_count=settings.gather_min_reports,
    )


def extend_desk(
    desk: SlackDesk,
    sessions: Sessions,
    broadcast: Broadcast,
    answering: Answering,
    *,
    now: Callable[[], datetime],
    on_queued: Callable[[], None],
    on_planned: Callable[[], None] = lambda: None,
) -> None:
    """`/csc panne`, the burst card's buttons and the article's "solved?" buttons."""

    def agents() -> AgentDirectory:
        return desk.agents

    desk.commands["panne"] = desk.commands["outage"] = OutageCommand(
        sessions,
        agents=agents,
        broadcast=broadcast,
        now=now,
        on_queued=on_queued,
        on_planned=on_planned,
    )
    desk.commands["répondre"] = desk.commands["repondre"] = desk.commands["reply"] = ReplyCommand(
        sessions, agents=agents, domain=broadcast.mail_domain, now=now, on_queued=on_queued
    )
    desk.actions["guichet.outage."] = BurstActions(
        sessions, agents=agents, broadcast=broadcast, now=now, on_queued=on_queued
    )
    desk.actions["guichet.kb."] = VerdictActions(
        sessions, answering=answering, now=now, on_queued=on_queued
    )


def agent_grants(entries: Iterable[AgentEntry]) -> list[AgentGrant]:
    """The checked `slack_agents` entries as intake's grants (labels as plain strings)."""
    return [
        AgentGrant(
            user=entry.user or "",
            group=entry.group or "",
            teams=tuple(team.value for team in entry.teams),
            levels=tuple(level.value for level in entry.levels),
        )
        for entry in entries
    ]


async def resolve_agent_groups(
    connector: SlackConnector, desk: SlackDesk, entries: Sequence[AgentEntry]
) -> None:
    """Add the members of the configured Slack user groups to the agents; retried until Slack
    answers (until then, only agents named by user ID are agents)."""
    delay = 2.0
    for group, teams, levels in groups(agent_grants(entries)):
        while True:
            try:
                members = await connector.usergroup_members(group)
                break
            except Exception as exc:
                log.warning("slack: members of group %s unknown yet (%s)", group, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 300)
        desk.agents = desk.agents.with_members(members, teams=teams, levels=levels)
        log.info("slack: group %s gives %d agent(s)", group, len(members))
