"""The dashboard's data file: one CSV line per ticket, with its clocks and outcomes.

It goes to the client organisation: the desk's internal figures (whether agents accepted the
classifier's proposals) are not in it.

Columns added with self-service and redirections: ``redirected_to`` (catalogue id of the other
support centre; empty when not redirected), ``outage`` (the declared outage the ticket reports;
empty when not linked), ``self_service`` (a knowledge-base article was offered: ``offered``
while waiting for the requester's answer, ``solved``, ``unsolved``, or ``expired`` without an
answer in time; empty when none was) and ``article`` (the last article offered).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.reports.rows import TicketRow

CSV_COLUMNS = (
    "number",
    "organisation",
    "created_at",
    "kind",
    "severity",
    "level",
    "team",
    "channel",
    "status",
    "in_month",
    "state",
    "budget_hours",
    "elapsed_hours",
    "paused_hours",
    "used_percent",
    "due",
    "met",
    "resolved_at",
    "first_answer_seconds",
    "first_person_answer_seconds",
    "first_answer_met",
    "first_person_answer_met",
    "reopened",
    "escalated",
    "redirected_to",
    "outage",
    "self_service",
    "article",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{value:.2f}"  # a dot: spreadsheets and scripts both read it
    return str(value)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def render_csv(rows: Sequence[TicketRow]) -> str:
    """One line per ticket with its clocks (hours and seconds are business time on its calendar)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in sorted(rows, key=lambda r: r.number):
        writer.writerow(
            _cell(v)
            for v in (
                r.number,
                r.organisation,
                r.created_at,
                r.kind,
                r.severity,
                r.level,
                r.team,
                r.channel,
                r.status,
                r.in_month,
                r.state,
                _hours(r.budget_seconds),
                _hours(r.elapsed_seconds),
                _hours(r.paused_seconds),
                None if r.fraction is None else r.fraction * 100,
                r.due,
                r.met,
                r.resolved_at,
                r.first_answer_seconds,
                r.first_person_answer_seconds,
                r.first_answer_met,
                r.first_person_answer_met,
                r.reopened,
                r.escalated,
                r.redirected_to,
                r.outage,
                r.self_service,
                r.article,
            )
        )
    return out.getvalue()
