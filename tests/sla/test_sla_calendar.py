"""Hand-worked calendar arithmetic: weekends, Quebec holidays, DST, nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.sla.calendar import (
    AlwaysOpenCalendar,
    BusinessCalendar,
    HolidayRules,
    OpenHours,
    easter_sunday,
    statutory_holidays,
)
from bot.sla.errors import ClockInputError

from .helpers import ALWAYS, ANSWER, BUSINESS, HOUR, t


def test_quebec_statutory_holidays_2026() -> None:
    days = statutory_holidays("CA", "QC", 2026)
    assert days == {
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 5, 18),  # National Patriots' Day
        date(2026, 6, 24),  # Fête nationale
        date(2026, 7, 1),  # Canada Day
        date(2026, 9, 7),  # Labour Day
        date(2026, 10, 12),  # Thanksgiving
        date(2026, 12, 25),  # Christmas
    }


def test_default_rules_have_no_easter_monday_and_extras_add_it() -> None:
    assert not HolidayRules().is_holiday(date(2026, 4, 6))
    rules = HolidayRules(extra_yearly=("easter_monday", "12-26", "01-02"))
    assert rules.is_holiday(date(2026, 4, 6))
    assert rules.is_holiday(date(2027, 3, 29))
    assert rules.is_holiday(date(2026, 12, 26))
    assert rules.is_holiday(date(2027, 1, 2))
    assert rules.is_holiday(date(2026, 6, 24))  # statutory days stay


def test_extra_and_removed_dates() -> None:
    rules = HolidayRules(
        extra_dates=frozenset({date(2026, 12, 24)}), removed_dates=frozenset({date(2026, 6, 24)})
    )
    assert rules.is_holiday(date(2026, 12, 24))
    assert not rules.is_holiday(date(2026, 6, 24))
    assert rules.is_holiday(date(2026, 7, 1))


def test_bad_yearly_rule_is_rejected() -> None:
    with pytest.raises(ValueError, match="easter_monday"):
        HolidayRules(extra_yearly=("easter",))
    with pytest.raises(ValueError, match="month-day"):
        HolidayRules(extra_yearly=("13-01",))


@pytest.mark.parametrize("year", range(2000, 2060))
def test_easter_matches_the_holidays_package(year: int) -> None:
    import holidays

    table = holidays.country_holidays("CA", subdiv="QC", years=year, categories=("optional",))
    easter_monday = [d for d, name in table.items() if "Easter Monday" in name]
    assert easter_monday == [easter_sunday(year) + timedelta(days=1)]


def test_cli_example_june_24() -> None:
    # Tue 23 June 15:00 EDT: 1.5 h that day; Wed 24 June (Fête nationale) closed;
    # Thu 25 June 8 h (9.5 h); 0.5 h left on Fri 26 June: 09:00.
    due = BUSINESS.add_business_seconds(t("2026-06-23T15:00:00-04:00"), 10 * HOUR)
    assert due.isoformat() == "2026-06-26T09:00:00-04:00"
    assert BUSINESS.business_seconds(t("2026-06-23T15:00:00-04:00"), due) == 10 * HOUR


def test_weekend_and_dst_start() -> None:
    # Fri 6 March 15:00 EST: 1.5 h; weekend (DST starts Sun 8 March); Mon 9 March 8 h EDT;
    # 0.5 h on Tue 10 March.
    due = BUSINESS.add_business_seconds(t("2026-03-06T15:00:00-05:00"), 10 * HOUR)
    assert due.isoformat() == "2026-03-10T09:00:00-04:00"
    # The Monday after the change still has eight open hours.
    assert (
        BUSINESS.business_seconds(t("2026-03-09T00:00:00-04:00"), t("2026-03-10T00:00-04:00"))
        == 8 * HOUR
    )


def test_dst_end() -> None:
    # Fri 30 Oct 16:00 EDT: 0.5 h; DST ends Sun 1 Nov; Mon 2 Nov 8 h EST; 1.5 h Tue 3 Nov.
    due = BUSINESS.add_business_seconds(t("2026-10-30T16:00:00-04:00"), 10 * HOUR)
    assert due.isoformat() == "2026-11-03T10:00:00-05:00"


def test_canada_day() -> None:
    # Tue 30 June 14:00: 2.5 h; Wed 1 July closed; Thu 2 July 8 h (10.5 h); 5.5 h Fri 3 July.
    due = BUSINESS.add_business_seconds(t("2026-06-30T14:00:00-04:00"), 16 * HOUR)
    assert due.isoformat() == "2026-07-03T14:00:00-04:00"


def test_labour_day() -> None:
    # Fri 4 Sept 12:00: 4.5 h; weekend; Mon 7 Sept (Labour Day) closed; 5.5 h Tue 8 Sept.
    due = BUSINESS.add_business_seconds(t("2026-09-04T12:00:00-04:00"), 10 * HOUR)
    assert due.isoformat() == "2026-09-08T14:00:00-04:00"


def test_thanksgiving_budget_ends_at_closing() -> None:
    # P5, 40 h from Fri 9 Oct 08:30: Fri 8, Mon 12 Oct (Thanksgiving) closed, Tue–Fri 4 x 8:
    # spent exactly at Fri 16 Oct 16:30, which is the due instant (not the next opening).
    due = BUSINESS.add_business_seconds(t("2026-10-09T08:30:00-04:00"), 40 * HOUR)
    assert due.isoformat() == "2026-10-16T16:30:00-04:00"


def test_night_opening_starts_next_morning() -> None:
    opened = t("2026-02-11T22:00:00-05:00")  # Wednesday night
    assert not BUSINESS.is_open(opened)
    assert BUSINESS.next_open(opened).isoformat() == "2026-02-12T08:30:00-05:00"
    due = BUSINESS.add_business_seconds(opened, 10 * HOUR)
    assert due.isoformat() == "2026-02-13T10:30:00-05:00"


def test_saturday_opening() -> None:
    due = BUSINESS.add_business_seconds(t("2026-01-10T10:00:00-05:00"), 16 * HOUR)
    assert due.isoformat() == "2026-01-13T16:30:00-05:00"


def test_open_and_close_edges() -> None:
    assert BUSINESS.is_open(t("2026-02-02T08:30:00-05:00"))
    assert not BUSINESS.is_open(t("2026-02-02T08:29:59-05:00"))
    assert not BUSINESS.is_open(t("2026-02-02T16:30:00-05:00"))
    assert BUSINESS.is_open(t("2026-02-02T21:29:59+00:00"))  # 16:29:59 EST, given in UTC
    assert not BUSINESS.is_open(t("2026-06-24T10:00:00-04:00"))  # Fête nationale
    assert ANSWER.is_open(t("2026-02-02T07:30:00-05:00"))
    assert ANSWER.is_open(t("2026-02-02T16:59:59-05:00"))
    assert not ANSWER.is_open(t("2026-02-02T17:00:00-05:00"))


def test_zero_seconds_is_start_even_when_closed() -> None:
    start = t("2026-02-07T12:00:00-05:00")  # Saturday
    assert BUSINESS.add_business_seconds(start, 0) == start


def test_results_are_in_toronto_time() -> None:
    due = BUSINESS.add_business_seconds(t("2026-02-02T14:00:00+00:00"), HOUR)
    assert due.isoformat() == "2026-02-02T10:00:00-05:00"
    assert str(due.tzinfo) == "America/Toronto"


def test_always_open_is_real_time_across_dst() -> None:
    # P2 opened Sun 8 March 00:30 EST; 5 real hours later the wall clock reads 06:30 EDT.
    due = ALWAYS.add_business_seconds(t("2026-03-08T00:30:00-05:00"), 5 * HOUR)
    assert due.isoformat() == "2026-03-08T06:30:00-04:00"
    # P1 in the repeated hour of 1 November: first 01:30 (EDT) and second 01:30 (EST).
    first = ALWAYS.add_business_seconds(t("2026-11-01T01:30:00-04:00"), 3 * HOUR)
    second = ALWAYS.add_business_seconds(t("2026-11-01T01:30:00-05:00"), 3 * HOUR)
    assert first.isoformat() == "2026-11-01T03:30:00-05:00"
    assert second.isoformat() == "2026-11-01T04:30:00-05:00"
    # Same wall-clock span, one real hour more on the night the clocks go back.
    night = ALWAYS.business_seconds(t("2026-11-01T00:00:00-04:00"), t("2026-11-01T03:00-05:00"))
    assert night == 4 * HOUR


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 2, 2, 9, 0)
    aware = naive.replace(tzinfo=UTC)
    for calendar in (BUSINESS, ALWAYS):
        with pytest.raises(ClockInputError, match="timezone-aware"):
            calendar.business_seconds(naive, aware)
        with pytest.raises(ValueError, match="offset"):
            calendar.add_business_seconds(naive, 10)
        with pytest.raises(ValueError):
            calendar.is_open(naive)
        with pytest.raises(ValueError):
            calendar.next_open(naive)


def test_reversed_interval_and_negative_seconds_are_rejected() -> None:
    a, b = t("2026-02-02T09:00:00-05:00"), t("2026-02-02T10:00:00-05:00")
    for calendar in (BUSINESS, ALWAYS):
        with pytest.raises(ClockInputError, match="before start"):
            calendar.business_seconds(b, a)
        with pytest.raises(ClockInputError, match=">= 0"):
            calendar.add_business_seconds(a, -1)


def test_calendar_configuration_errors() -> None:
    with pytest.raises(ValueError, match="after opening"):
        OpenHours(time(16, 30), time(8, 30))
    with pytest.raises(ValueError, match="never open"):
        BusinessCalendar(name="x", week=(None,) * 7)
    with pytest.raises(ValueError, match="7 weekdays"):
        BusinessCalendar(name="x", week=(OpenHours(time(8), time(9)),))


def test_custom_weekday_calendar_without_holidays() -> None:
    saturday = BusinessCalendar.weekdays("sat", time(9), time(12), days=(5,), holidays=None)
    due = saturday.add_business_seconds(t("2026-02-02T10:00:00-05:00"), 4 * HOUR)
    assert due.isoformat() == "2026-02-14T10:00:00-05:00"  # 3 h on 7 Feb, 1 h on 14 Feb
    assert isinstance(AlwaysOpenCalendar().name, str)


def test_weekdays_calendar_holidays_default_and_none() -> None:
    fete = t("2026-06-24T10:00:00-04:00")
    assert not BusinessCalendar.weekdays("qc", time(8, 30), time(16, 30)).is_open(fete)
    bare = BusinessCalendar.weekdays("bare", time(8, 30), time(16, 30), holidays=None)
    assert bare.is_open(fete)
