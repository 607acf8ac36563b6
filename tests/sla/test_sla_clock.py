"""Hand-worked clocks from event logs: pauses, priority changes, reopening, breach, answers."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.sla.clock import (
    ClockEvent,
    Clocks,
    ClockState,
    EventType,
    Responder,
    compute_clocks,
    due_at,
)
from bot.sla.errors import ClockInputError
from nlp.labels import Severity

from .helpers import BUSINESS, CALENDARS, HOUR, POLICY, t

P1, P2, P3, P4, P5 = Severity.P1, Severity.P2, Severity.P3, Severity.P4, Severity.P5
MONDAY_9 = "2026-02-02T09:00:00-05:00"


def clocks(events: list[ClockEvent], now: str) -> Clocks:
    return compute_clocks(events, POLICY, CALENDARS, t(now))


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def test_due_at_cli_example() -> None:
    due = due_at(P3, t("2026-06-23T15:00:00-04:00"), [], POLICY, CALENDARS)
    assert due.isoformat() == "2026-06-26T09:00:00-04:00"


def test_targets_per_priority_on_one_opening() -> None:
    opened = t(MONDAY_9)
    dues = {p: due_at(p, opened, [], POLICY, CALENDARS).isoformat() for p in Severity}
    assert dues == {
        P1: "2026-02-02T12:00:00-05:00",
        P2: "2026-02-02T14:00:00-05:00",
        P3: "2026-02-03T11:00:00-05:00",  # 7.5 h Monday + 2.5 h
        P4: "2026-02-04T09:00:00-05:00",  # 7.5 + 8 + 0.5
        P5: "2026-02-09T09:00:00-05:00",  # 7.5 + 4 x 8 = 39.5 by Friday, 0.5 h Monday
    }


PAUSE = (t("2026-02-02T11:00:00-05:00"), t("2026-02-04T10:00:00-05:00"))


def test_pause_spanning_nights() -> None:
    # Mon 09:00–11:00 = 2 h; paused until Wed 10:00; Wed 6.5 h (8.5 h); 1.5 h on Thu 5 Feb.
    due = due_at(P3, t(MONDAY_9), [PAUSE], POLICY, CALENDARS)
    assert due.isoformat() == "2026-02-05T10:00:00-05:00"


def test_night_only_pause_changes_nothing_on_business_hours() -> None:
    night = (t("2026-02-02T18:00:00-05:00"), t("2026-02-03T08:00:00-05:00"))
    assert due_at(P3, t(MONDAY_9), [night], POLICY, CALENDARS) == due_at(
        P3, t(MONDAY_9), [], POLICY, CALENDARS
    )
    # ...but it does on 24/7: P1 opened at 17:00, paused 18:00–08:00, due 10:00 next day.
    due = due_at(P1, t("2026-02-02T17:00:00-05:00"), [night], POLICY, CALENDARS)
    assert due.isoformat() == "2026-02-03T10:00:00-05:00"


def test_overlapping_and_early_pauses_are_merged_and_clipped() -> None:
    pauses = [
        (t("2026-02-01T10:00:00-05:00"), t("2026-02-02T10:00:00-05:00")),  # starts before opening
        (t("2026-02-02T11:00:00-05:00"), t("2026-02-03T12:00:00-05:00")),
        (t("2026-02-03T09:00:00-05:00"), t("2026-02-04T10:00:00-05:00")),  # overlaps the previous
    ]
    # Active: Mon 10:00–11:00 (1 h), Wed 10:00–16:30 (6.5 h), 2.5 h on Thu: 11:00.
    due = due_at(P3, t(MONDAY_9), pauses, POLICY, CALENDARS)
    assert due.isoformat() == "2026-02-05T11:00:00-05:00"


def test_reversed_pause_is_rejected() -> None:
    with pytest.raises(ClockInputError, match="before it starts"):
        due_at(P3, t(MONDAY_9), [(PAUSE[1], PAUSE[0])], POLICY, CALENDARS)


def paused_log(severity: Severity = P4) -> list[ClockEvent]:
    return [
        ClockEvent.opened(t(MONDAY_9), severity),
        ClockEvent.paused(PAUSE[0]),
        ClockEvent.resumed(PAUSE[1]),
    ]


def test_priority_change_recomputes_from_opening_with_pauses_kept() -> None:
    log = paused_log(P4)
    before = clocks(log, "2026-02-04T10:30:00-05:00")
    # P4: 2 h Monday, 6.5 h Wednesday (8.5), 7.5 h on Thursday: 16:00.
    assert iso(before.due) == "2026-02-05T16:00:00-05:00"
    log.append(ClockEvent.severity_set(t("2026-02-04T11:00:00-05:00"), P3))
    after = clocks(log, "2026-02-04T12:00:00-05:00")
    assert after.severity is P3
    assert iso(after.due) == "2026-02-05T10:00:00-05:00"
    assert after.elapsed_seconds == 4 * HOUR  # Mon 09–11 + Wed 10–12
    assert after.paused_seconds == 15 * HOUR  # Mon 5.5 + Tue 8 + Wed 1.5 open hours


def test_change_to_a_24_7_priority_switches_calendar() -> None:
    log = [*paused_log(P3), ClockEvent.severity_set(t("2026-02-04T11:00:00-05:00"), P2)]
    now = clocks(log, "2026-02-04T11:00:00-05:00")
    assert now.calendar == "always"
    assert now.elapsed_seconds == 3 * HOUR  # real time: Mon 09–11, Wed 10–11
    assert iso(now.due) == "2026-02-04T13:00:00-05:00"


def test_upgrade_after_the_budget_is_spent_breaches_at_once() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P4),
        ClockEvent.severity_set(t("2026-02-02T13:00:00-05:00"), P1),
    ]
    now = clocks(log, "2026-02-02T13:00:00-05:00")
    assert iso(now.due) == "2026-02-02T12:00:00-05:00"
    assert now.breached and now.state is ClockState.BREACHED and now.met is False
    assert now.remaining_seconds == -HOUR


def test_reopening_continues_the_same_clock() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P3),
        ClockEvent.resolved(t("2026-02-02T13:00:00-05:00")),
        ClockEvent.reopened(t("2026-02-03T10:00:00-05:00")),
    ]
    resolved = clocks(log, "2026-02-02T15:00:00-05:00")
    assert resolved.state is ClockState.STOPPED
    assert resolved.elapsed_seconds == 4 * HOUR
    assert resolved.met is True and resolved.due is None
    assert iso(resolved.resolved_at) == "2026-02-02T13:00:00-05:00"
    reopened = clocks(log, "2026-02-03T12:00:00-05:00")
    assert reopened.state is ClockState.RUNNING and reopened.met is None
    assert reopened.elapsed_seconds == 6 * HOUR
    assert iso(reopened.due) == "2026-02-03T16:00:00-05:00"  # 6 h left from Tue 10:00
    assert reopened.resolved_at is None


def test_breach_is_strictly_after_the_due_instant() -> None:
    log = [ClockEvent.opened(t(MONDAY_9), P3)]
    at_due = clocks(log, "2026-02-03T11:00:00-05:00")
    assert iso(at_due.due) == "2026-02-03T11:00:00-05:00"
    assert at_due.fraction == 1.0 and not at_due.breached
    assert at_due.state is ClockState.RUNNING and at_due.met is None
    past = clocks(log, "2026-02-03T11:00:01-05:00")
    assert past.breached and past.state is ClockState.BREACHED and past.met is False
    assert past.remaining_seconds == -1
    assert iso(past.due) == "2026-02-03T11:00:00-05:00"


def test_due_at_closing_is_breached_overnight() -> None:
    log = [ClockEvent.opened(t("2026-02-02T14:30:00-05:00"), P3)]
    night = clocks(log, "2026-02-03T20:00:00-05:00")
    assert iso(night.due) == "2026-02-03T16:30:00-05:00"
    assert night.fraction == 1.0 and night.breached


def test_resolved_exactly_at_due_is_met() -> None:
    log = [ClockEvent.opened(t(MONDAY_9), P3), ClockEvent.resolved(t("2026-02-03T11:00-05:00"))]
    done = clocks(log, "2026-02-10T00:00:00-05:00")
    assert done.met is True and not done.breached and done.state is ClockState.STOPPED
    assert iso(done.due) == "2026-02-03T11:00:00-05:00"


def test_paused_exactly_at_due_is_not_breached_until_resumed() -> None:
    log = [ClockEvent.opened(t(MONDAY_9), P3), ClockEvent.paused(t("2026-02-03T11:00-05:00"))]
    waiting = clocks(log, "2026-02-03T15:00:00-05:00")
    assert waiting.state is ClockState.PAUSED and not waiting.breached
    assert iso(waiting.due) == "2026-02-03T11:00:00-05:00"
    log.append(ClockEvent.resumed(t("2026-02-03T15:00:00-05:00")))
    assert clocks(log, "2026-02-03T15:00:01-05:00").breached


def test_paused_with_budget_left_has_no_due() -> None:
    log = [ClockEvent.opened(t(MONDAY_9), P3), ClockEvent.paused(t("2026-02-02T10:00-05:00"))]
    waiting = clocks(log, "2026-02-03T15:00:00-05:00")
    assert waiting.state is ClockState.PAUSED
    assert waiting.due is None and waiting.remaining_seconds == 9 * HOUR
    assert waiting.paused_seconds == (6.5 + 6.5) * HOUR


def test_resolution_while_paused_closes_the_pause() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P3),
        ClockEvent.paused(t("2026-02-02T10:00:00-05:00")),
        ClockEvent.resolved(t("2026-02-02T12:00:00-05:00")),
        ClockEvent.reopened(t("2026-02-02T14:00:00-05:00")),
    ]
    now = clocks(log, "2026-02-02T15:00:00-05:00")
    assert now.state is ClockState.RUNNING
    assert now.elapsed_seconds == 2 * HOUR and now.paused_seconds == 2 * HOUR


def test_night_opening_starts_at_next_business_opening() -> None:
    log = [ClockEvent.opened(t("2026-02-11T22:00:00-05:00"), P3)]
    night = clocks(log, "2026-02-12T07:00:00-05:00")
    assert iso(night.started_at) == "2026-02-12T08:30:00-05:00"
    assert night.elapsed_seconds == 0 and night.fraction == 0
    assert iso(night.due) == "2026-02-13T10:30:00-05:00"


def test_opening_at_now_and_events_after_now_are_ignored() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P3),
        ClockEvent.resolved(t("2026-02-02T12:00:00-05:00")),
    ]
    now = clocks(log, MONDAY_9)
    assert now.state is ClockState.RUNNING and now.elapsed_seconds == 0
    assert iso(now.due) == "2026-02-03T11:00:00-05:00"


def test_accounting_adds_up() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P5),
        ClockEvent.paused(t("2026-02-02T15:00:00-05:00")),
        ClockEvent.resumed(t("2026-02-03T10:00:00-05:00")),
        ClockEvent.resolved(t("2026-02-03T12:00:00-05:00")),
        ClockEvent.reopened(t("2026-02-04T09:00:00-05:00")),
        ClockEvent.paused(t("2026-02-04T11:00:00-05:00")),
    ]
    now = clocks(log, "2026-02-05T09:00:00-05:00")
    total = BUSINESS.business_seconds(t(MONDAY_9), t("2026-02-05T09:00:00-05:00"))
    resolved_gap = BUSINESS.business_seconds(
        t("2026-02-03T12:00:00-05:00"), t("2026-02-04T09:00:00-05:00")
    )
    assert now.elapsed_seconds + now.paused_seconds + resolved_gap == total
    assert now.elapsed_seconds == (6 + 2 + 2) * HOUR


def test_request_without_severity_has_no_target() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9)),
        ClockEvent.resolved(t("2026-02-03T10:00:00-05:00")),
    ]
    done = clocks(log, "2026-02-04T00:00:00-05:00")
    assert not done.has_target
    assert done.due is None and done.met is None and not done.breached
    assert done.budget_seconds is None and done.fraction is None
    assert done.calendar == "business"
    assert done.elapsed_seconds == 9 * HOUR  # time to resolve, business hours
    assert done.state is ClockState.STOPPED


def test_reclassified_as_request_drops_the_target() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P1),
        ClockEvent.severity_set(t("2026-02-02T09:05:00-05:00"), None),
    ]
    now = clocks(log, "2026-02-03T09:00:00-05:00")
    assert not now.has_target and not now.breached


def test_answer_clocks_on_the_answer_calendar() -> None:
    log = [
        ClockEvent.opened(t("2026-02-02T07:29:50-05:00"), P4),
        ClockEvent.answered(t("2026-02-02T07:30:20-05:00"), Responder.BOT),
        ClockEvent.answered(t("2026-02-02T07:31:00-05:00"), Responder.PERSON),
    ]
    now = clocks(log, "2026-02-02T08:00:00-05:00")
    assert now.first_answer_seconds == 20 and now.first_answer_met is True
    assert now.first_person_answer_seconds == 60 and now.first_person_answer_met is False


def test_answer_after_hours_counts_from_next_opening() -> None:
    log = [
        ClockEvent.opened(t("2026-02-06T17:30:00-05:00")),  # Friday evening
        ClockEvent.answered(t("2026-02-06T17:30:05-05:00"), Responder.BOT),
        ClockEvent.answered(t("2026-02-09T07:30:30-05:00"), Responder.PERSON),
    ]
    now = clocks(log, "2026-02-09T12:00:00-05:00")
    assert now.first_answer_seconds == 0 and now.first_answer_met is True
    assert now.first_person_answer_seconds == 30 and now.first_person_answer_met is True


def test_unanswered_is_undecided_then_missed() -> None:
    log = [ClockEvent.opened(t(MONDAY_9), P4)]
    early = clocks(log, "2026-02-02T09:00:40-05:00")
    assert early.first_answer_seconds is None and early.first_answer_met is None
    late = clocks(log, "2026-02-02T09:00:41-05:00")
    assert late.first_answer_met is False and late.first_person_answer_met is False


def test_event_validation() -> None:
    with pytest.raises(ClockInputError, match="timezone-aware"):
        ClockEvent.opened(datetime(2026, 2, 2, 9))
    with pytest.raises(ClockInputError, match="by=bot"):
        ClockEvent(t(MONDAY_9), EventType.ANSWERED)
    with pytest.raises(ClockInputError, match="carries no severity"):
        ClockEvent(t(MONDAY_9), EventType.PAUSED, severity=P3)
    with pytest.raises(ClockInputError, match="no opened event"):
        clocks([ClockEvent.paused(t(MONDAY_9))], MONDAY_9)
    with pytest.raises(ClockInputError, match="before the opening"):
        clocks(
            [ClockEvent.paused(t("2026-02-02T08:00-05:00")), ClockEvent.opened(t(MONDAY_9))],
            MONDAY_9,
        )
    with pytest.raises(ClockInputError, match="now must be timezone-aware"):
        compute_clocks([ClockEvent.opened(t(MONDAY_9))], POLICY, CALENDARS, datetime(2026, 3, 1))


def test_out_of_turn_events_are_harmless() -> None:
    log = [
        ClockEvent.opened(t(MONDAY_9), P3),
        ClockEvent.resumed(t("2026-02-02T09:30:00-05:00")),  # never paused
        ClockEvent.reopened(t("2026-02-02T09:40:00-05:00")),  # never resolved
        ClockEvent.paused(t("2026-02-02T10:00:00-05:00")),
        ClockEvent.paused(t("2026-02-02T10:30:00-05:00")),  # already paused
        ClockEvent.resumed(t("2026-02-02T11:00:00-05:00")),
        ClockEvent.opened(t("2026-02-02T11:30:00-05:00"), P1),  # a second opening
    ]
    now = clocks(log, "2026-02-02T12:00:00-05:00")
    assert now.severity is P3
    assert now.elapsed_seconds == 2 * HOUR and now.paused_seconds == HOUR


def test_log_order_does_not_matter() -> None:
    log = paused_log(P3)
    assert clocks(log, "2026-02-05T09:00:00-05:00") == clocks(
        list(reversed(log)), "2026-02-05T09:00:00-05:00"
    )


def test_repeated_hour_is_ordered_by_real_time() -> None:
    # 1 Nov 2026: 01:50 EDT (05:50 UTC) comes before 01:10 EST (06:10 UTC), though its wall
    # clock reads later; both written in America/Toronto, which Python compares by wall clock.
    from zoneinfo import ZoneInfo

    toronto = ZoneInfo("America/Toronto")
    opened = datetime(2026, 11, 1, 1, 50, tzinfo=toronto)  # fold=0: EDT
    paused = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=toronto)  # fold=1: EST
    now = datetime(2026, 11, 1, 1, 40, fold=1, tzinfo=toronto)
    log = [ClockEvent.opened(opened, P1), ClockEvent.paused(paused)]
    result = compute_clocks(log, POLICY, CALENDARS, now)
    assert result.elapsed_seconds == 20 * 60 and result.paused_seconds == 30 * 60
    assert result.state is ClockState.PAUSED
    due = due_at(P1, opened, [(paused, now)], POLICY, CALENDARS)
    assert due.isoformat() == "2026-11-01T04:20:00-05:00"  # 05:50 UTC + 30 min pause + 3 h
