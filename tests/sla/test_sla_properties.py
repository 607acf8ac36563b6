"""Properties of the arithmetic (hypothesis), over 2025–2028 so holidays and DST changes occur."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sla.calendar import Calendar
from bot.sla.clock import ClockEvent, compute_clocks, due_at
from nlp.labels import Severity

from .helpers import ALWAYS, ANSWER, BUSINESS, CALENDARS, POLICY

# Per-test settings (a global profile would leak into other packages' tests). Raise the count
# for a longer hunt: SLA_EXAMPLES=5000 pytest tests/sla/test_sla_properties.py
SETTINGS = settings(max_examples=int(os.environ.get("SLA_EXAMPLES", "60")), deadline=None)
Pauses = list[tuple[datetime, datetime]]

ZONES = [UTC, ZoneInfo("America/Toronto"), timezone(timedelta(hours=-4)), ZoneInfo("Europe/Paris")]

# Whole seconds keep every sum exact in floats; the mix of zones checks that the offset an
# instant is written with never matters.
instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.sampled_from(ZONES),
)
calendars = st.sampled_from([BUSINESS, ANSWER, ALWAYS])
budgets = st.integers(min_value=0, max_value=60 * 3600)
priorities = st.sampled_from(list(Severity))


def ordered(*values: datetime) -> list[datetime]:
    # By UTC: two datetimes sharing a tzinfo compare by wall clock and ignore `fold`.
    return sorted(values, key=lambda value: value.astimezone(UTC))


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@SETTINGS
@given(calendars, instants, budgets)
def test_add_then_measure_round_trips(calendar: Calendar, start: datetime, seconds: int) -> None:
    end = calendar.add_business_seconds(start, seconds)
    assert utc(end) >= utc(start)
    assert calendar.business_seconds(start, end) == seconds
    assert str(end.tzinfo) == "America/Toronto"


@SETTINGS
@given(calendars, instants, budgets.filter(bool))
def test_add_lands_on_open_time(calendar: Calendar, start: datetime, seconds: int) -> None:
    # The earliest instant with that much open time: the second just before it was open.
    end = calendar.add_business_seconds(start, seconds)
    assert calendar.is_open(end - timedelta(microseconds=1))


@SETTINGS
@given(calendars, instants, budgets, budgets)
def test_add_is_monotonic_in_seconds(calendar: Calendar, start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert utc(calendar.add_business_seconds(start, low)) <= utc(
        calendar.add_business_seconds(start, high)
    )


@SETTINGS
@given(calendars, instants, instants, budgets)
def test_add_is_monotonic_in_start(
    calendar: Calendar, first: datetime, second: datetime, seconds: int
) -> None:
    early, late = ordered(first, second)
    assert utc(calendar.add_business_seconds(early, seconds)) <= utc(
        calendar.add_business_seconds(late, seconds)
    )


@SETTINGS
@given(calendars, instants, instants, instants)
def test_measure_is_additive_and_bounded(
    calendar: Calendar, x: datetime, y: datetime, z: datetime
) -> None:
    a, b, c = ordered(x, y, z)
    whole = calendar.business_seconds(a, c)
    assert whole == calendar.business_seconds(a, b) + calendar.business_seconds(b, c)
    assert 0 <= whole <= (utc(c) - utc(a)).total_seconds()


@SETTINGS
@given(calendars, instants)
def test_next_open(calendar: Calendar, at: datetime) -> None:
    opening = calendar.next_open(at)
    assert utc(opening) >= utc(at)
    assert calendar.is_open(opening)
    assert calendar.business_seconds(at, opening) == 0
    assert (opening == at) == calendar.is_open(at)


@SETTINGS
@given(instants, instants, budgets)
def test_24_7_is_plain_utc_arithmetic(x: datetime, y: datetime, seconds: int) -> None:
    a, b = ordered(x, y)
    assert ALWAYS.business_seconds(a, b) == (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds()
    expected = a.astimezone(UTC) + timedelta(seconds=seconds)
    assert ALWAYS.add_business_seconds(a, seconds).astimezone(UTC) == expected


@SETTINGS
@given(instants, instants, budgets)
def test_business_time_is_whatever_the_offset(x: datetime, y: datetime, seconds: int) -> None:
    a, b = ordered(x, y)
    as_utc = BUSINESS.business_seconds(a.astimezone(UTC), b.astimezone(UTC))
    assert BUSINESS.business_seconds(a, b) == as_utc
    assert BUSINESS.add_business_seconds(a, seconds) == BUSINESS.add_business_seconds(
        a.astimezone(UTC), seconds
    )


pauses = st.lists(
    st.tuples(instants, st.integers(min_value=0, max_value=5 * 24 * 3600)).map(
        lambda p: (p[0], p[0] + timedelta(seconds=p[1]))
    ),
    max_size=4,
)


@SETTINGS
@given(priorities, instants, pauses)
def test_due_is_after_opening(priority: Severity, opened: datetime, given_pauses: Pauses) -> None:
    assert utc(due_at(priority, opened, given_pauses, POLICY, CALENDARS)) >= utc(opened)


@SETTINGS
@given(priorities, instants, pauses, pauses)
def test_more_pauses_never_make_due_earlier(
    priority: Severity, opened: datetime, some: Pauses, more: Pauses
) -> None:
    before = due_at(priority, opened, some, POLICY, CALENDARS)
    assert utc(due_at(priority, opened, [*some, *more], POLICY, CALENDARS)) >= utc(before)


@SETTINGS
@given(priorities, instants, instants, pauses)
def test_later_opening_never_makes_due_earlier(
    priority: Severity, first: datetime, second: datetime, given_pauses: Pauses
) -> None:
    early, late = ordered(first, second)
    assert utc(due_at(priority, early, given_pauses, POLICY, CALENDARS)) <= utc(
        due_at(priority, late, given_pauses, POLICY, CALENDARS)
    )


@SETTINGS
@given(instants, pauses)
def test_longer_budget_never_due_earlier(opened: datetime, given_pauses: Pauses) -> None:
    dues = [utc(due_at(p, opened, given_pauses, POLICY, CALENDARS)) for p in Severity]
    assert dues[0] <= dues[1]  # P1 <= P2 on 24/7
    assert dues[2] <= dues[3] <= dues[4]  # P3 <= P4 <= P5 on business hours


@st.composite
def logs(draw: st.DrawFn) -> tuple[list[ClockEvent], datetime]:
    """A P1–P5 opening followed by alternating pause/resume events, and a `now` after them."""
    opened = draw(instants)
    priority = draw(priorities)
    gaps = draw(st.lists(st.integers(min_value=1, max_value=3 * 24 * 3600), max_size=6))
    events = [ClockEvent.opened(opened, priority)]
    at = opened
    for index, gap in enumerate(gaps):
        at = at + timedelta(seconds=gap)
        events.append(ClockEvent.paused(at) if index % 2 == 0 else ClockEvent.resumed(at))
    if len(gaps) % 2 == 1:  # end running so the due instant is defined
        at = at + timedelta(seconds=1)
        events.append(ClockEvent.resumed(at))
    now = at + timedelta(seconds=draw(st.integers(min_value=0, max_value=10 * 24 * 3600)))
    return events, now


@SETTINGS
@given(logs())
def test_clocks_agree_with_due_at_and_add_up(log: tuple[list[ClockEvent], datetime]) -> None:
    events, now = log
    clocks = compute_clocks(events, POLICY, CALENDARS, now)
    opened = events[0].at
    assert events[0].severity is not None
    pairs = [(events[i].at, events[i + 1].at) for i in range(1, len(events) - 1, 2)]
    assert clocks.due == due_at(events[0].severity, opened, pairs, POLICY, CALENDARS)
    calendar = CALENDARS[clocks.calendar]
    assert clocks.elapsed_seconds + clocks.paused_seconds == calendar.business_seconds(opened, now)
    assert clocks.breached == (clocks.due is not None and utc(now) > utc(clocks.due))
    assert clocks.remaining_seconds == (clocks.budget_seconds or 0) - clocks.elapsed_seconds
