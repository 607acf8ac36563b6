"""The mapping from the bot's log vocabulary to clock events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.sla.clock import ClockEvent, ClockState, EventType, Responder, compute_clocks
from bot.sla.events import (
    clock_events,
    escalated,
    reopen_count,
    requester_answers,
    severity_decision,
    status_clock_events,
    warned_thresholds,
)
from nlp.labels import Severity

from .helpers import CALENDARS, HOUR, POLICY, t


@dataclass(frozen=True)
class E:
    at: datetime
    type: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    audience: str
    sent_at: datetime | None


OPEN = t("2026-02-02T08:30:00-05:00")


def opening(kind: str = "incident", severity: str | None = "P3") -> list[E]:
    return [
        E(OPEN, "opened", {"channel": "email"}),
        E(OPEN, "proposed", {"kind": kind, "severity": severity, "level": "N1"}),
    ]


def status(at: datetime, old: str, new: str) -> E:
    return E(at, "status_changed", {"from": old, "to": new})


def test_proposal_gives_the_opening_its_severity_for_incidents_only() -> None:
    assert clock_events(opening()) == [ClockEvent.opened(OPEN, Severity.P3)]
    assert clock_events(opening("request", None)) == [ClockEvent.opened(OPEN, None)]
    # A stray severity on a request never gives it a target.
    assert clock_events(opening("request", "P2")) == [ClockEvent.opened(OPEN, None)]
    assert clock_events([E(OPEN, "proposed", {"kind": "incident"})]) == []  # no opening yet


def test_status_vocabulary() -> None:
    at = OPEN + timedelta(hours=1)
    assert status_clock_events(at, "open", "waiting_on_user") == [ClockEvent.paused(at)]
    assert status_clock_events(at, "waiting_on_user", "open") == [ClockEvent.resumed(at)]
    assert status_clock_events(at, "waiting_on_user", "resolved") == [ClockEvent.resolved(at)]
    assert status_clock_events(at, "in_progress", "redirected") == [ClockEvent.resolved(at)]
    assert status_clock_events(at, "resolved", "open") == [ClockEvent.reopened(at)]
    assert status_clock_events(at, "resolved", "closed") == []
    assert status_clock_events(at, "new", "open") == []
    assert status_clock_events(at, "resolved", "waiting_on_user") == [
        ClockEvent.reopened(at),
        ClockEvent.paused(at),
    ]


def test_a_whole_life_replays_into_the_clocks() -> None:
    log = [
        *opening(severity="P4"),
        E(OPEN + timedelta(minutes=1), "severity_set", {"from": "P4", "to": "P3", "by": "ana"}),
        status(OPEN + timedelta(hours=1), "open", "waiting_on_user"),
        status(OPEN + timedelta(hours=3), "waiting_on_user", "in_progress"),
        E(OPEN + timedelta(hours=3, minutes=5), "agent_reply", {"message": 7}),
        status(OPEN + timedelta(hours=4), "in_progress", "resolved"),
        status(OPEN + timedelta(hours=5), "resolved", "open"),
        status(OPEN + timedelta(hours=6), "open", "resolved"),
        E(OPEN + timedelta(hours=6), "sla_warning", {"threshold": 50}),
    ]
    ack = [Row("requester", OPEN + timedelta(seconds=4)), Row("staff", OPEN)]
    events = clock_events(log, requester_answers(ack))
    assert [e.type for e in events] == [
        EventType.OPENED,
        EventType.SEVERITY_SET,
        EventType.PAUSED,
        EventType.RESUMED,
        EventType.ANSWERED,
        EventType.RESOLVED,
        EventType.REOPENED,
        EventType.RESOLVED,
        EventType.ANSWERED,
    ]
    assert events[-1] == ClockEvent.answered(OPEN + timedelta(seconds=4), Responder.BOT)
    clocks = compute_clocks(events, POLICY, CALENDARS, OPEN + timedelta(days=1))
    assert clocks.severity is Severity.P3
    assert clocks.state is ClockState.STOPPED
    assert clocks.elapsed_seconds == 3 * HOUR  # 1 h, then 1 h, then 1 h after reopening
    assert clocks.paused_seconds == 2 * HOUR
    assert clocks.first_answer_seconds == 4
    assert clocks.first_person_answer_seconds == 3 * HOUR + 5 * 60
    assert clocks.met is True
    assert reopen_count(log) == 1
    assert severity_decision(log) == "changed"
    assert warned_thresholds(log) == {50}


def test_proposals_after_an_agent_decision_do_not_move_the_clock() -> None:
    later = OPEN + timedelta(hours=2)
    log = [
        *opening(),
        E(OPEN + timedelta(hours=1), "severity_set", {"to": "P3", "by": "ana"}),
        E(later, "proposed", {"kind": "incident", "severity": "P1"}),
    ]
    events = clock_events(log)
    assert events[-1] == ClockEvent.severity_set(OPEN + timedelta(hours=1), Severity.P3)
    assert severity_decision(log) == "confirmed"
    before = [*opening(), E(later, "proposed", {"kind": "request", "severity": None})]
    assert clock_events(before)[-1] == ClockEvent.severity_set(later, None)


def test_answers_pending_or_to_staff_do_not_count_and_unknown_events_are_skipped() -> None:
    rows = [Row("requester", None), Row("staff", OPEN), Row("requester", OPEN)]
    assert requester_answers(rows) == [OPEN]
    log = [*opening(), E(OPEN, "automated_mail"), E(OPEN, "bot_reply")]
    assert clock_events(log)[-1] == ClockEvent.answered(OPEN, Responder.BOT)
    assert not escalated(log)
    assert escalated([*log, E(OPEN, "level_set", {"from": "N1", "to": "N2"})])
    assert warned_thresholds([E(OPEN, "sla_warning", {"threshold": "bad"})]) == set()
