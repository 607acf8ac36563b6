"""The SLA watcher: warns the assigned team at 50, 75, 90 % of the restoration budget and at breach.

Every pass scans the open incidents, recomputes their clocks from the log and, for each threshold
`warnings_due` returns, appends an ``sla_warning`` event and queues one email to the team, in the
same transaction. Warnings are remembered as events, and the outbox key ``sla:{number}:{threshold}``
is unique, so a threshold is never announced twice, even by two watchers racing (the loser's
transaction fails on the key and is rolled back whole). When several thresholds are due at once
(the watcher was down), one email announces the highest and all are recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.messages import catalogue, say
from bot.outbox_queue import queue
from bot.periodic import every
from bot.sla import format as fmt
from bot.sla.calendar import Calendar
from bot.sla.clock import Clocks
from bot.sla.events import SLA_WARNING, warned_thresholds
from bot.sla.policy import Policy
from bot.sla.store import load_logs, utc
from bot.sla.teams import TeamContact, TeamDirectory
from bot.sla.thresholds import warnings_due
from bot.store.db import Sessions
from bot.store.models import Ticket
from bot.texts import PLAIN
from bot.tickets.labels import language_of
from bot.tickets.log import entry
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage
from nlp.labels import Kind

log = logging.getLogger(__name__)

# Paused tickets cannot warn, finished ones never will: only these are scanned.
RUNNING_STATUSES = ("new", "open", "in_progress")

_templates = PLAIN


def render_warning(
    ticket: Ticket, clocks: Clocks, threshold: int, team: TeamContact
) -> tuple[str, str]:
    """Subject and text of one warning, in the team's language."""
    lang = language_of(team.language)
    breached = threshold >= 100
    values = {
        "number": ticket.number or "",
        "severity": clocks.severity.value if clocks.severity else "–",
        "due": fmt.instant(clocks.due, lang),
        "percent": fmt.percent(threshold / 100, 0, lang),
    }
    subject = say("sla.subject.breach" if breached else "sla.subject.warn", lang, **values)
    text = _templates.get_template(f"sla_warning.{lang.value}.txt.j2").render(
        team=team.name(lang),
        breached=breached,
        subject=ticket.subject or "–",
        organisation=ticket.organisation,
        budget=fmt.duration(clocks.budget_seconds, lang),
        calendar=catalogue(lang).get(f"sla.calendar.{clocks.calendar}", clocks.calendar),
        opened=fmt.instant(clocks.opened_at, lang),
        elapsed=fmt.duration(clocks.elapsed_seconds, lang),
        paused=fmt.duration(clocks.paused_seconds, lang) if clocks.paused_seconds else "",
        remaining=fmt.duration(clocks.remaining_seconds, lang),
        **values,
    )
    return subject, text


class SlaWatcher:
    """Scans open incidents every ``interval_seconds`` and warns their teams (see module doc)."""

    def __init__(
        self,
        sessions: Sessions,
        *,
        policy: Policy,
        calendars: Mapping[str, Calendar],
        teams: TeamDirectory,
        now: Callable[[], datetime],
        mail_domain: str,
        on_queued: Callable[[], None] = lambda: None,
        interval_seconds: float = 60.0,
    ) -> None:
        self._sessions = sessions
        self._policy = policy
        self._calendars = calendars
        self._teams = teams
        self._now = now
        self._domain = mail_domain
        self._on_queued = on_queued
        self._interval = interval_seconds
        self.wake = asyncio.Event()

    async def run(self) -> None:
        """Check forever (see `bot.periodic.every`)."""
        await every(
            lambda: self.check(self._now()),
            name="service-level warnings queued",
            log=log,
            interval=self._interval,
            wake=self.wake,
        )

    async def check(self, now: datetime) -> int:
        """One pass as of ``now``; returns how many warning emails were queued."""
        async with self._sessions() as session:
            tickets = (
                await session.exec(
                    select(Ticket.id).where(
                        Ticket.kind == Kind.INCIDENT,
                        col(Ticket.status).in_(RUNNING_STATUSES),
                    )
                )
            ).all()
        queued = 0
        ids = [i for i in tickets if i is not None]
        for start in range(0, len(ids), 500):
            queued += await self._check_batch(ids[start : start + 500], now)
        if queued:
            self._on_queued()
        return queued

    async def _check_batch(self, ids: list[int], now: datetime) -> int:
        queued = 0
        async with self._sessions() as session:
            logs = await load_logs(session, ids, with_outbox=False)
        thresholds = self._policy.warning_thresholds
        for ticket_id, ticket_log in logs.items():
            clocks = ticket_log.clocks(self._policy, self._calendars, now)
            if clocks is None or clocks.budget_seconds is None:
                continue
            due = warnings_due(
                clocks,
                warned_thresholds(ticket_log.events),
                now,
                self._calendars[clocks.calendar],
                thresholds,
            )
            if due and await self._warn(ticket_id, clocks, due, now):
                queued += 1
        return queued

    async def _warn(self, ticket_id: int, clocks: Clocks, due: list[int], now: datetime) -> bool:
        now = utc(now)  # SQLite drops offsets: the store holds UTC
        async with self._sessions() as session:
            ticket = await session.get_one(Ticket, ticket_id)
            if ticket.status not in RUNNING_STATUSES:
                return False  # changed since the scan
            highest = max(due)
            team = self._teams.contact(ticket.team)
            subject, text = render_warning(ticket, clocks, highest, team)
            number = ticket.number or f"#{ticket_id}"
            message = OutboundMessage(
                channel=Channel.EMAIL,
                to=(team.address,),
                to_name=team.name(team.language),
                subject=subject,
                text=text,
                # Not one of the ticket-encoding Message-IDs: a team's reply to a warning
                # must not thread into the ticket as if the requester had written.
                message_id=f"sla.{number.lower()}.{highest}.{int(now.timestamp())}@{self._domain}",
            )
            for threshold in due:
                session.add(
                    entry(
                        ticket_id,
                        now,
                        SLA_WARNING,
                        "bot",
                        threshold=threshold,
                        due=clocks.due.isoformat() if clocks.due else None,
                        fraction=round(clocks.fraction or 0.0, 4),
                        notified=threshold == highest,
                        to=team.address,
                    )
                )
            session.add(
                queue(
                    message,
                    kind=NoticeKind.SLA_WARNING,
                    key=f"sla:{number}:{highest}",
                    ticket_id=ticket_id,
                    now=now,
                )
            )
            try:
                await session.commit()
            except IntegrityError:  # another watcher announced it first
                await session.rollback()
                return False
        return True
