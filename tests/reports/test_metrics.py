"""The dashboard's maths on hand-made rows, and the French number formats."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.reports.metrics import Rate, Targets, compute, week_of
from bot.reports.rows import TicketRow
from bot.sla import format as fmt

ZONE = ZoneInfo("America/Toronto")
TARGETS = Targets(
    restoration_hours={"P1": 3, "P2": 5, "P3": 10, "P4": 16, "P5": 40},
    restoration_share={"P1": 0.85, "P2": 0.85, "P3": 0.8, "P4": 0.8, "P5": 0.8},
    answer_seconds=40,
    answer_share=0.85,
)
MONDAY = datetime(2026, 10, 5, 9, 0, tzinfo=ZONE)


def row(number: int, **changes: object) -> TicketRow:
    base = TicketRow(
        number=f"CSC-{number:06d}",
        organisation="msss",
        created_at=MONDAY,
        kind="incident",
        severity="P3",
        level="N2",
        team="network",
        channel="email",
        status="resolved",
        in_month=True,
        state="stopped",
        budget_seconds=36000.0,
        elapsed_seconds=3600.0,
        met=True,
        first_answer_seconds=5.0,
        first_answer_met=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_restoration_counts_decided_incidents_against_each_target() -> None:
    rows = [
        row(1),
        row(2, met=False, state="stopped"),
        row(3, met=False, state="breached", status="open", fraction=1.4),
        row(4, met=None, state="running", status="open", fraction=0.2),
        row(5, severity="P1", budget_seconds=10800.0),
        row(6, kind="request", severity=None, budget_seconds=None, met=None),
    ]
    figures = compute(rows, TARGETS)
    p3 = next(line for line in figures.restoration if line.severity == "P3")
    assert (p3.count, p3.rate, p3.pending) == (4, Rate(1, 3), 1)
    assert p3.on_target is False and p3.hours == 10 and p3.target == 0.8
    p1 = figures.restoration[0]
    assert (p1.count, p1.rate.value, p1.on_target) == (1, 1.0, True)
    assert figures.restoration[1].rate.value is None  # no P2 this month: no verdict
    assert figures.tickets == 6
    assert figures.backlog == 2
    assert [r.number for r in figures.at_risk] == ["CSC-000003"]  # 20 % used is not at risk
    assert figures.backlog_by_state == {"breached": 1, "running": 1}


def test_answers_per_channel_any_and_person_side_by_side() -> None:
    rows = [
        row(1, channel="email", first_person_answer_seconds=600.0, first_person_answer_met=False),
        row(2, channel="slack", first_person_answer_seconds=20.0, first_person_answer_met=True),
        row(3, channel="slack", first_answer_met=False, first_answer_seconds=90.0),
        row(4, channel="web", first_answer_met=None, first_answer_seconds=None),
    ]
    lines = {line.channel: line for line in compute(rows, TARGETS).answers}
    assert list(lines) == ["email", "slack", "web", "total"]
    assert lines["slack"].any == Rate(1, 2) and lines["slack"].person == Rate(1, 1)
    assert lines["web"].any == Rate(0, 0) and lines["web"].any_median is None
    assert lines["total"].any == Rate(2, 3)
    assert lines["total"].person == Rate(1, 2)
    assert lines["slack"].any_median == 47.5
    assert lines["total"].person_median == 310.0


def test_first_contact_resolution_counts_office_incidents_resolved_at_n1() -> None:
    office = {"team": "workstation", "level": "N1"}
    rows = [
        row(1, **office),
        row(2, **office, reopened=1),  # reopened: not at first contact
        row(3, **office, escalated=True),  # sent to N2
        row(4, **{**office, "level": "N2"}),
        row(5, **office, state="running", status="open", met=None),  # not resolved: not counted
        row(6, team="network", level="N1"),  # not an office team
        row(7, **office, kind="request", severity=None, budget_seconds=None),
    ]
    assert compute(rows, TARGETS).fcr == Rate(1, 4)


def test_volumes_pauses_and_agent_decisions() -> None:
    rows = [
        row(1, paused_seconds=1800.0, elapsed_seconds=5400.0, severity_decision="confirmed"),
        row(2, channel="web", severity_decision="changed"),
        row(3, created_at=datetime(2026, 10, 14, 23, 0, tzinfo=ZONE)),
        row(4, kind="question", severity=None, budget_seconds=None, team=None),
        row(5, in_month=False, state="running", status="open", created_at=MONDAY.replace(month=9)),
    ]
    figures = compute(rows, TARGETS)
    assert figures.by_kind == {"incident": 3, "question": 1}
    assert figures.by_team == {"network": 3, "–": 1}
    assert figures.by_channel == {"email": 3, "web": 1}
    assert figures.by_week == [(date(2026, 10, 5), 3), (date(2026, 10, 12), 1)]
    assert figures.paused_share == 1800 / (5400 + 1800 + 3600 + 3600)
    assert figures.decisions == {"confirmed": 1, "changed": 1, "pending": 1}
    assert figures.backlog == 1  # the September ticket still open
    assert week_of(datetime(2026, 10, 11, 23, 59, tzinfo=ZONE)) == date(2026, 10, 5)


def test_french_formats() -> None:
    assert fmt.number(12345.6, 1) == "12\u202f345,6"
    assert fmt.number(12345.6, 1, "en") == "12,345.6"
    assert fmt.percent(0.853) == "85,3\u00a0%"
    assert fmt.percent(None) == "–"
    assert fmt.duration(9000) == "2\u00a0h\u00a030"
    assert fmt.duration(35) == "35\u00a0s"
    assert fmt.duration(-300, "en") == "-5\u00a0min"
