"""Calendars on which service-level clocks run: 24/7, or business hours on business days.

Two rules keep the arithmetic right across daylight-saving changes:

- Every computation is done on UTC instants. Python subtracts and adds aware datetimes that
  share a ``tzinfo`` in *wall-clock* time (``03:00 EDT - 01:00 EST`` on the night of a change
  gives 2 h, not the real 1 h), so nothing here ever does arithmetic on a Toronto datetime.
- Business hours are *wall-clock* hours in the calendar's time zone: 08:30–16:30 is eight real
  hours on every business day, including the Mondays after a change. A 24/7 budget is real
  elapsed time: 3 h across the March change is 3 real hours (the wall clock shows 4).

Every public method takes aware datetimes only and raises `ClockInputError` on naive ones.
Results are returned in the calendar's time zone (America/Toronto by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from bot.sla.errors import ClockInputError, SlaError

TORONTO = ZoneInfo("America/Toronto")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# A business calendar with no open day at all would make `add_business_seconds` loop forever;
# holidays are finite per year, so this many consecutive closed days means a broken calendar.
_MAX_CLOSED_DAYS = 400


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` unchanged if it carries a UTC offset, else raise `ClockInputError`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClockInputError(
            f"{what} must be timezone-aware, got naive {value.isoformat()}; "
            "give it an offset such as -04:00 (EDT), -05:00 (EST) or Z"
        )
    return value


def _utc(value: datetime, what: str) -> datetime:
    return require_aware(value, what).astimezone(UTC)


def _seconds(delta: timedelta) -> float:
    return delta / timedelta(seconds=1)


@runtime_checkable
class Calendar(Protocol):
    """When a clock runs. Both implementations below satisfy it; tests may bring their own."""

    @property
    def name(self) -> str: ...

    @property
    def time_zone(self) -> ZoneInfo: ...

    def is_open(self, at: datetime) -> bool:
        """True when a clock on this calendar runs at instant ``at``."""
        ...

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself if open, else the instant the calendar next opens."""
        ...

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of open time in ``[start, end)``; ``end`` before ``start`` is an error."""
        ...

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant ``t >= start`` with ``business_seconds(start, t) == seconds``."""
        ...


@dataclass(frozen=True)
class AlwaysOpenCalendar:
    """24/7: every second counts, measured as real elapsed time (UTC), not wall-clock time."""

    name: str = "24/7"
    time_zone: ZoneInfo = TORONTO

    def is_open(self, at: datetime) -> bool:
        require_aware(at, "at")
        return True

    def next_open(self, at: datetime) -> datetime:
        return _utc(at, "at").astimezone(self.time_zone)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        s, e = _utc(start, "start"), _utc(end, "end")
        if e < s:
            raise ClockInputError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return _seconds(e - s)

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        if seconds < 0:
            raise ClockInputError(f"seconds must be >= 0, got {seconds}")
        return (_utc(start, "start") + timedelta(seconds=seconds)).astimezone(self.time_zone)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
NAMED_YEARLY_RULES = ("good_friday", "easter_monday")


def check_yearly_rule(rule: str) -> str:
    """Validate a yearly extra holiday: ``"easter_monday"``, ``"good_friday"`` or ``"MM-DD"``."""
    if rule in NAMED_YEARLY_RULES:
        return rule
    match = _MONTH_DAY.match(rule)
    if match:
        try:
            date(2000, int(match[1]), int(match[2]))  # 2000 is a leap year: 02-29 allowed
        except ValueError:
            pass
        else:
            return rule
    raise ValueError(
        f"{rule!r} is not a yearly holiday rule; use 'easter_monday', 'good_friday' "
        "or a month-day such as '12-26'"
    )


def _yearly_rule_date(rule: str, year: int) -> date | None:
    if rule == "easter_monday":
        return easter_sunday(year) + timedelta(days=1)
    if rule == "good_friday":
        return easter_sunday(year) - timedelta(days=2)
    month, day = (int(part) for part in rule.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return None


@lru_cache(maxsize=256)
def statutory_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The `holidays` package's public holidays for one year (observed days included)."""
    table = holidays_lib.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(day for day in table if day.year == year)


@dataclass(frozen=True)
class HolidayRules:
    """Which dates are not business days.

    The base is the `holidays` package's public holidays for ``country``/``subdivision``
    (CA/QC: New Year's Day, Good Friday, National Patriots' Day, Fête nationale on 24 June,
    Canada Day, Labour Day, Thanksgiving, Christmas, and the observed Monday when the package
    moves one). ``extra_yearly`` adds a rule every year (``"easter_monday"``, ``"good_friday"``,
    or ``"MM-DD"`` taken as is, not moved off weekends); ``extra_dates`` adds one-off dates the
    client's agreement grants; ``removed_dates`` takes dates out (applied last).
    """

    country: str = "CA"
    subdivision: str | None = "QC"
    extra_yearly: tuple[str, ...] = ()
    extra_dates: frozenset[date] = field(default_factory=frozenset)
    removed_dates: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for rule in self.extra_yearly:
            check_yearly_rule(rule)

    def for_year(self, year: int) -> frozenset[date]:
        """All holidays of ``year`` under these rules."""
        return _rules_for_year(self, year)

    def is_holiday(self, day: date) -> bool:
        return day in self.for_year(day.year)


@lru_cache(maxsize=1024)
def _rules_for_year(rules: HolidayRules, year: int) -> frozenset[date]:
    days = set(statutory_holidays(rules.country, rules.subdivision, year))
    for rule in rules.extra_yearly:
        extra = _yearly_rule_date(rule, year)
        if extra is not None:
            days.add(extra)
    days.update(d for d in rules.extra_dates if d.year == year)
    days.difference_update(rules.removed_dates)
    return frozenset(days)


_QUEBEC = HolidayRules()


@dataclass(frozen=True)
class OpenHours:
    """Wall-clock opening hours for one weekday, in the calendar's time zone."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are wall-clock times: give them without a time zone")
        if self.closes <= self.opens:
            raise ValueError(
                f"closing time {self.closes:%H:%M} must be after opening time {self.opens:%H:%M}"
            )


@dataclass(frozen=True)
class BusinessCalendar:
    """Open during ``week[weekday]`` hours (Monday = 0) on days that are not holidays.

    A window on a day of a daylight-saving change keeps its wall-clock hours; the change
    itself happens at 02:00, outside any realistic opening hours. Should a configured opening
    fall in the skipped hour, it is read with the offset in force before the change.
    """

    name: str
    week: tuple[OpenHours | None, ...]
    holidays: HolidayRules | None = field(default_factory=HolidayRules)
    time_zone: ZoneInfo = TORONTO

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"week must give 7 weekdays (Monday first), got {len(self.week)}")
        if all(hours is None for hours in self.week):
            raise ValueError(f"calendar {self.name!r} is never open: give at least one weekday")

    @classmethod
    def weekdays(
        cls,
        name: str,
        opens: time,
        closes: time,
        *,
        days: tuple[int, ...] = (0, 1, 2, 3, 4),
        holidays: HolidayRules | None = _QUEBEC,
        time_zone: ZoneInfo = TORONTO,
    ) -> BusinessCalendar:
        """Same hours on each of ``days`` (0 = Monday).

        Quebec statutory holidays by default; ``holidays=None`` for a calendar without any.
        """
        hours = OpenHours(opens, closes)
        week = tuple(hours if weekday in days else None for weekday in range(7))
        return cls(name=name, week=week, holidays=holidays, time_zone=time_zone)

    def is_business_day(self, day: date) -> bool:
        if self.week[day.weekday()] is None:
            return False
        return self.holidays is None or not self.holidays.is_holiday(day)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The open interval of a local date as UTC instants, or None when closed all day."""
        hours = self.week[day.weekday()]
        if hours is None or not self.is_business_day(day):
            return None
        opens = datetime.combine(day, hours.opens, tzinfo=self.time_zone).astimezone(UTC)
        closes = datetime.combine(day, hours.closes, tzinfo=self.time_zone).astimezone(UTC)
        return (opens, closes) if opens < closes else None

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.time_zone).date()

    def is_open(self, at: datetime) -> bool:
        instant = _utc(at, "at")
        win = self.window(self._local_date(instant))
        return win is not None and win[0] <= instant < win[1]

    def next_open(self, at: datetime) -> datetime:
        instant = _utc(at, "at")
        day = self._local_date(instant)
        for _ in range(_MAX_CLOSED_DAYS):
            win = self.window(day)
            if win is not None and instant < win[1]:
                return max(win[0], instant).astimezone(self.time_zone)
            day += timedelta(days=1)
        raise SlaError(f"calendar {self.name!r} stays closed for {_MAX_CLOSED_DAYS} days")

    def business_seconds(self, start: datetime, end: datetime) -> float:
        s, e = _utc(start, "start"), _utc(end, "end")
        if e < s:
            raise ClockInputError(f"end {end.isoformat()} is before start {start.isoformat()}")
        total = timedelta(0)
        day, last = self._local_date(s), self._local_date(e)
        while day <= last:
            win = self.window(day)
            if win is not None:
                lo, hi = max(win[0], s), min(win[1], e)
                if lo < hi:
                    total += hi - lo
            day += timedelta(days=1)
        return _seconds(total)

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        s = _utc(start, "start")
        if seconds < 0:
            raise ClockInputError(f"seconds must be >= 0, got {seconds}")
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return s.astimezone(self.time_zone)
        day, closed_run = self._local_date(s), 0
        while closed_run < _MAX_CLOSED_DAYS:
            win = self.window(day)
            if win is None or win[1] <= s:
                closed_run += 1
            else:
                closed_run = 0
                begin = max(win[0], s)
                available = win[1] - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(self.time_zone)
                remaining -= available
            day += timedelta(days=1)
        raise SlaError(f"calendar {self.name!r} stays closed for {_MAX_CLOSED_DAYS} days")
