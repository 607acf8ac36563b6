"""Which warnings are due: 50/75/90 % of the budget and breach, only while the calendar is open."""

from __future__ import annotations

from bot.sla.clock import ClockEvent, compute_clocks
from bot.sla.thresholds import warnings_due
from nlp.labels import Severity

from .helpers import ALWAYS, BUSINESS, CALENDARS, POLICY, t

P3_OPENED = ClockEvent.opened(t("2026-02-02T08:30:00-05:00"), Severity.P3)


def due_now(events: list[ClockEvent], now: str, sent: set[int] | None = None) -> list[int]:
    at = t(now)
    clocks = compute_clocks(events, POLICY, CALENDARS, at)
    return warnings_due(clocks, sent or set(), at, CALENDARS[clocks.calendar])


def test_thresholds_as_the_budget_is_used() -> None:
    log = [P3_OPENED]
    assert due_now(log, "2026-02-02T13:29:59-05:00") == []
    assert due_now(log, "2026-02-02T13:30:00-05:00") == [50]  # 5 h of 10
    assert due_now(log, "2026-02-02T14:45:00-05:00", {50}) == []
    assert due_now(log, "2026-02-02T16:00:00-05:00", {50}) == [75]  # 7.5 h
    assert due_now(log, "2026-02-03T09:30:00-05:00", {50, 75}) == [90]  # 9 h
    assert due_now(log, "2026-02-03T10:30:00-05:00", {50, 75, 90}) == []  # due, not yet past
    assert due_now(log, "2026-02-03T10:30:01-05:00", {50, 75, 90}) == [100]
    assert due_now(log, "2026-02-03T15:00:00-05:00", {50, 75, 90, 100}) == []


def test_never_twice_and_all_missed_ones_at_once() -> None:
    log = [P3_OPENED]
    assert due_now(log, "2026-02-03T12:00:00-05:00") == [50, 75, 90, 100]
    assert due_now(log, "2026-02-03T12:00:00-05:00", {50, 90}) == [75, 100]


def test_nothing_while_the_calendar_is_closed() -> None:
    log = [ClockEvent.opened(t("2026-02-02T14:30:00-05:00"), Severity.P3)]  # due Tue 16:30
    assert due_now(log, "2026-02-03T20:00:00-05:00", {50, 75, 90}) == []
    assert due_now(log, "2026-02-04T08:30:00-05:00", {50, 75, 90}) == [100]
    assert not BUSINESS.is_open(t("2026-02-03T20:00:00-05:00"))


def test_24_7_warns_at_night() -> None:
    log = [ClockEvent.opened(t("2026-02-07T01:00:00-05:00"), Severity.P1)]  # Saturday night
    assert due_now(log, "2026-02-07T02:30:00-05:00") == [50]
    assert ALWAYS.is_open(t("2026-02-07T02:30:00-05:00"))


def test_nothing_while_paused_or_resolved_or_without_target() -> None:
    paused = [P3_OPENED, ClockEvent.paused(t("2026-02-02T14:00:00-05:00"))]
    assert due_now(paused, "2026-02-02T15:00:00-05:00") == []
    resolved = [P3_OPENED, ClockEvent.resolved(t("2026-02-02T14:00:00-05:00"))]
    assert due_now(resolved, "2026-02-02T15:00:00-05:00") == []
    request = [ClockEvent.opened(t("2026-02-02T08:30:00-05:00"))]
    assert due_now(request, "2026-02-05T15:00:00-05:00") == []


def test_resumed_ticket_gets_the_warning_it_crossed_before_pausing() -> None:
    log = [
        P3_OPENED,
        ClockEvent.paused(t("2026-02-02T13:30:00-05:00")),  # exactly 50 %
        ClockEvent.resumed(t("2026-02-03T09:00:00-05:00")),
    ]
    assert due_now(log, "2026-02-02T15:00:00-05:00") == []
    assert due_now(log, "2026-02-03T09:00:00-05:00") == [50]


def test_custom_thresholds() -> None:
    at = t("2026-02-02T11:00:00-05:00")
    clocks = compute_clocks([P3_OPENED], POLICY, CALENDARS, at)
    assert warnings_due(clocks, set(), at, BUSINESS, thresholds=(25, 100)) == [25]
