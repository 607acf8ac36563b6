"""Several similar reports close together: propose a major incident to the agents.

When a new incident ticket makes a burst (`bot.selfservice.gather`), a card goes to the triage
channel: "Déclarer une panne" declares an outage from the burst and links every report to it
(each requester gets the outage notice, and the resolution later); "Pas lié" dismisses it. A
burst is proposed once: later similar reports join the outage once it is declared, through the
dispatcher's known-outage route.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outages import registry
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageDraft, without_controls
from bot.outages.linked import answer_report
from bot.outbox_queue import queue
from bot.selfservice.gather import Burst, GatherConfig, Report, find_burst
from bot.slack.cards import SLACK_ACTOR, TriageCards
from bot.store.db import Sessions
from bot.store.models import Direction, Message, Ticket, TicketEvent
from bot.tickets.labels import Status
from bot.tickets.log import EventType, record
from bot.tickets.outbox import NoticeKind
from bot.tickets.reply import reply_target
from intake.message import Channel, OutboundMessage
from intake.slack.agents import AgentDirectory, refusal
from intake.slack.cards import TEAMS
from intake.slack.ports import BlockAction, SlackReply

log = logging.getLogger(__name__)

DECLARE = "guichet.outage.declare"
UNRELATED = "guichet.outage.unrelated"
_SKIP = (Status.LINKED, Status.REDIRECTED, Status.CLOSED)


class BurstWatch:
    """An `OpenedHook`: looks for a burst around each new incident ticket."""

    def __init__(self, cards: TriageCards, config: GatherConfig) -> None:
        self._cards = cards
        self._config = config

    async def opened(
        self, session: AsyncSession, ticket: Ticket, author: str, now: datetime
    ) -> bool:
        if ticket.kind != "incident" or not ticket.team or ticket.status in _SKIP:
            return False
        since = now - self._config.window
        recent = (
            await session.exec(
                select(Ticket).where(
                    Ticket.team == ticket.team,
                    Ticket.kind == "incident",
                    col(Ticket.created_at) >= since,
                    col(Ticket.status).not_in(_SKIP),
                    col(Ticket.outage_id).is_(None),
                )
            )
        ).all()
        others = [t for t in recent if t.id != ticket.id]
        if len(others) + 1 < self._config.min_count:
            return False
        texts = await _texts(session, [*others, ticket])
        burst = find_burst(
            _report(ticket, texts), [_report(t, texts) for t in others], self._config
        )
        if burst is None:
            return False
        members = [t for t in [*others, ticket] if t.number in burst.numbers]
        if await _already_proposed(session, members, since):
            return False
        channel = self._cards.channel_for("N1")
        if channel is None:
            return False
        for member in members:
            record(
                session,
                member,
                now,
                EventType.BURST_PROPOSED,
                "bot",
                members=list(burst.numbers),
                label=burst.label,
            )
        message = OutboundMessage(
            channel=Channel.SLACK,
            to=(channel,),
            subject=burst.label,
            text=f"Incident majeur possible : {len(burst.numbers)} signalements semblables",
            message_id=f"<burst.{burst.numbers[0]}@slack>",
            blocks=json.dumps(burst_card(burst, members)),
        )
        session.add(
            queue(
                message,
                kind=NoticeKind.BURST,
                key=f"burst:{burst.numbers[0]}",
                ticket_id=None,
                now=now,
            )
        )
        log.info("burst of %d reports proposed (%s)", len(burst.numbers), burst.label)
        return True


def burst_card(burst: Burst, members: Sequence[Ticket]) -> list[dict[str, Any]]:
    team = TEAMS.get(burst.team or "", burst.team or "—")
    minutes = max(1, round((burst.last_at - burst.first_at).total_seconds() / 60))
    lines = "\n".join(f"• *{t.number}* · {_clip(t.subject)}" for t in members[:10])
    value = ",".join(burst.numbers)[:2000]
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":rotating_light: *Incident majeur possible* — {len(burst.numbers)} "
                f"signalements semblables en {minutes} min · {team} · « {burst.label} »\n{lines}",
            },
        },
        {
            "type": "actions",
            "block_id": f"burst:{burst.numbers[0]}",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Déclarer une panne"},
                    "style": "danger",
                    "action_id": DECLARE,
                    "value": value,
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Pas lié"},
                    "action_id": UNRELATED,
                    "value": value,
                },
            ],
        },
    ]


class BurstActions:
    """The two buttons of the burst card (agents only; refusals logged)."""

    def __init__(
        self,
        sessions: Sessions,
        *,
        agents: Callable[[], AgentDirectory],
        broadcast: Broadcast,
        now: Callable[[], datetime],
        on_queued: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._agents = agents
        self._broadcast = broadcast
        self._now = now
        self._on_queued = on_queued

    async def __call__(self, action: BlockAction) -> SlackReply | None:
        if not self._agents().is_agent(action.user):
            log.warning("slack: refused %s to %s (not an agent)", action.action_id, action.user)
            return refusal(action.locale)
        numbers = [n for n in action.value.split(",") if n]
        now = self._now()
        actor = SLACK_ACTOR + action.user
        async with self._sessions() as session:
            members = list(
                (await session.exec(select(Ticket).where(col(Ticket.number).in_(numbers)))).all()
            )
            if not members:
                return SlackReply("Billets introuvables / tickets not found.")
            if action.action_id == DECLARE:
                outcome = await self._declare(session, members, actor, now)
            else:
                for member in members:
                    record(session, member, now, EventType.BURST_DISMISSED, actor)
                outcome = f"Jugé sans lien par <@{action.user}>."
            session.add(self._card_update(action, outcome, now))
            await session.commit()
        self._on_queued()
        return None

    async def _declare(
        self, session: AsyncSession, members: list[Ticket], actor: str, now: datetime
    ) -> str:
        label = await _label(session, members)
        team = members[-1].team
        draft = OutageDraft(
            title_fr=f"Panne signalée : {label}",
            title_en=f"Reported outage: {label}",
            text_fr="Plusieurs personnes nous signalent ce problème. Nos équipes enquêtent; "
            "nous vous tiendrons informés.",
            text_en="Several people have reported this problem. Our teams are investigating; "
            "we will keep you informed.",
            team=team,
        )
        outage = await registry.declare(session, draft, actor, now, self._broadcast)
        linked = 0
        for member in members:
            reply = reply_target(member)
            if member.status in _SKIP or reply is None:
                continue
            linked += await answer_report(session, outage, member, reply, now, self._broadcast)
        return f"Panne *{outage.number}* déclarée par <@{actor.removeprefix(SLACK_ACTOR)}> · {linked} billet(s) rattaché(s)."

    @staticmethod
    def _card_update(action: BlockAction, outcome: str, now: datetime) -> Any:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": outcome}}]
        message = OutboundMessage(
            channel=Channel.SLACK,
            to=(action.channel,),
            subject=outcome,
            text=outcome,
            message_id=f"<burst.{action.message_ts}.done@slack>",
            blocks=json.dumps(blocks),
            replaces=action.message_ts,
        )
        return queue(
            message,
            kind=NoticeKind.BURST,
            key=f"burst-done:{action.channel}:{action.message_ts}",
            ticket_id=None,
            now=now,
        )


async def _texts(session: AsyncSession, tickets: Sequence[Ticket]) -> dict[int, str]:
    ids = [t.id for t in tickets if t.id is not None]
    rows = await session.exec(
        select(Message.ticket_id, Message.body)
        .where(col(Message.ticket_id).in_(ids), Message.direction == Direction.IN)
        .order_by(col(Message.id))
    )
    first: dict[int, str] = {}
    for ticket_id, body in rows:
        if ticket_id is not None and ticket_id not in first:
            first[ticket_id] = body
    return first


def _report(ticket: Ticket, texts: dict[int, str]) -> Report:
    text = f"{ticket.subject}\n{texts.get(ticket.id or 0, '')}"
    return Report(ticket.number or "", text, ticket.team, ticket.created_at)


async def _already_proposed(
    session: AsyncSession, members: Sequence[Ticket], since: datetime
) -> bool:
    found = await session.exec(
        select(TicketEvent.id).where(
            col(TicketEvent.ticket_id).in_([m.id for m in members]),
            TicketEvent.type == EventType.BURST_PROPOSED,
            col(TicketEvent.at) >= since,
        )
    )
    return found.first() is not None


async def _label(session: AsyncSession, members: Sequence[Ticket]) -> str:
    event = (
        await session.exec(
            select(TicketEvent)
            .where(
                col(TicketEvent.ticket_id).in_([m.id for m in members]),
                TicketEvent.type == EventType.BURST_PROPOSED,
            )
            .order_by(col(TicketEvent.id).desc())
            .limit(1)
        )
    ).first()
    label = str(event.data.get("label", "")) if event else ""
    # From requesters' subjects: an outage title refuses control characters.
    return without_controls(label or _clip(members[0].subject))


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
