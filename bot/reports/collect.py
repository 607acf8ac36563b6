"""From the store to report rows: the month's tickets and the older ones still open, with clocks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.reports.metrics import Targets
from bot.reports.outcomes import linked_outage, redirected_to, self_service
from bot.reports.rows import TicketRow
from bot.sla.calendar import Calendar
from bot.sla.events import escalated, reopen_count, severity_decision
from bot.sla.policy import Policy
from bot.sla.store import TicketLog, load_logs, utc
from bot.store.models import Ticket
from bot.tickets.labels import FINISHED


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month in the policy's time zone, and the instant its clocks are read at."""

    label: str  # "2026-10"
    start: datetime
    end: datetime
    as_of: datetime

    @classmethod
    def month(cls, label: str, zone: ZoneInfo, now: datetime) -> Period:
        year, month = (int(part) for part in label.split("-"))
        start = datetime(year, month, 1, tzinfo=zone)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        return cls(label, start, end, min(end, now))


def targets_of(policy: Policy) -> Targets:
    return Targets(
        restoration_hours={s.value: t.hours for s, t in policy.restoration.items()},
        restoration_share={s.value: t.share for s, t in policy.restoration.items()},
        answer_seconds=policy.answer.seconds,
        answer_share=policy.answer.share,
    )


def to_row(
    ticket: Ticket,
    ticket_log: TicketLog,
    period: Period,
    policy: Policy,
    calendars: Mapping[str, Calendar],
) -> TicketRow | None:
    """The ticket's report row, its clocks as of the period's end; None if not open by then."""
    clocks = ticket_log.clocks(policy, calendars, period.as_of)
    if clocks is None:
        return None
    zone = calendars[clocks.calendar].time_zone
    created = utc(ticket.created_at).astimezone(zone)
    events = ticket_log.events
    state, article = self_service(events)
    return TicketRow(
        number=ticket.number or "",
        organisation=ticket.organisation,
        created_at=created,
        kind=ticket.kind,
        severity=clocks.severity.value if clocks.severity else None,
        level=ticket.level,
        team=ticket.team,
        channel=ticket.channel,
        status=ticket.status,
        in_month=period.start <= created < period.end,
        state=clocks.state.value,
        budget_seconds=clocks.budget_seconds,
        elapsed_seconds=clocks.elapsed_seconds,
        paused_seconds=clocks.paused_seconds,
        fraction=clocks.fraction,
        due=clocks.due,
        met=clocks.met,
        resolved_at=clocks.resolved_at,
        first_answer_seconds=clocks.first_answer_seconds,
        first_person_answer_seconds=clocks.first_person_answer_seconds,
        first_answer_met=clocks.first_answer_met,
        first_person_answer_met=clocks.first_person_answer_met,
        reopened=reopen_count(events),
        escalated=escalated(events),
        severity_decision=severity_decision(events),
        redirected_to=redirected_to(events),
        outage=linked_outage(events),
        self_service=state,
        article=article,
    )


async def collect(
    session: AsyncSession,
    period: Period,
    policy: Policy,
    calendars: Mapping[str, Calendar],
    organisation: str | None = None,
) -> dict[str, list[TicketRow]]:
    """Rows per organisation: tickets opened in the period, and older ones that may still be
    open at its end (unfinished now, or touched since the period began)."""
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    query = select(Ticket).where(
        col(Ticket.merged_into_id).is_(None),  # a merged duplicate counts once, as the ticket kept
        col(Ticket.created_at) < end,
        or_(
            col(Ticket.created_at) >= start,
            col(Ticket.status).not_in(FINISHED),
            col(Ticket.updated_at) >= start,
        ),
    )
    if organisation is not None:
        query = query.where(Ticket.organisation == organisation)
    tickets = (await session.exec(query.order_by(col(Ticket.id)))).all()
    logs = await load_logs(session, [t.id for t in tickets if t.id is not None])
    rows: dict[str, list[TicketRow]] = {}
    for ticket in tickets:
        assert ticket.id is not None
        row = to_row(ticket, logs[ticket.id], period, policy, calendars)
        if row is not None and (row.in_month or row.state != "stopped"):
            rows.setdefault(ticket.organisation, []).append(row)
    return rows
