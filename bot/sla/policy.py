"""The service-level policy: targets per priority, calendars, holidays, warning thresholds.

Loaded from a TOML file (the shipped default is ``bot/sla/policy.toml``, holding the seed's
targets) and validated with pydantic. Any mistake raises `PolicyError` naming the file, the
dotted place of each bad value and what is expected there.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.sla.calendar import (
    WEEKDAYS,
    AlwaysOpenCalendar,
    BusinessCalendar,
    Calendar,
    HolidayRules,
    OpenHours,
    check_yearly_rule,
)
from bot.sla.errors import PolicyError
from nlp.labels import Severity

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _share(value: float) -> float:
    if not 0 < value <= 1:
        raise ValueError("a share is a fraction between 0 and 1, e.g. 0.85 for 85 %")
    return value


Share = Annotated[float, AfterValidator(_share)]


def _parse_clock(text: str) -> time:
    try:
        hour, minute = (int(part) for part in text.strip().split(":"))
        return time(hour, minute)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day; use HH:MM, e.g. 08:30") from None


class HolidaySpec(_Model):
    country: str = "CA"
    subdivision: str | None = "QC"
    extra_yearly: tuple[str, ...] = ()
    extra_dates: tuple[date, ...] = ()
    removed_dates: tuple[date, ...] = ()

    @field_validator("extra_yearly")
    @classmethod
    def _rules(cls, rules: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_yearly_rule(rule) for rule in rules)

    @model_validator(mode="after")
    def _supported(self) -> HolidaySpec:
        try:
            holidays_lib.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise ValueError(
                f"the holidays package knows no country {self.country!r} "
                f"with subdivision {self.subdivision!r}: {exc}"
            ) from None
        return self

    def rules(self) -> HolidayRules:
        return HolidayRules(
            country=self.country,
            subdivision=self.subdivision,
            extra_yearly=self.extra_yearly,
            extra_dates=frozenset(self.extra_dates),
            removed_dates=frozenset(self.removed_dates),
        )


class CalendarSpec(_Model):
    """``kind = "always"`` (24/7) or ``kind = "business"`` with ``hours = "HH:MM-HH:MM"``."""

    kind: Literal["always", "business"]
    hours: str | None = None
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: bool = True

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            _split_hours(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CalendarSpec:
        if self.kind == "business":
            if self.hours is None:
                raise ValueError('a business calendar needs hours, e.g. hours = "08:30-16:30"')
            if not self.days:
                raise ValueError("a business calendar needs at least one day in days")
        elif self.hours is not None:
            raise ValueError('an "always" (24/7) calendar takes no hours; remove them')
        return self


def _split_hours(value: str) -> OpenHours:
    opens, sep, closes = value.partition("-")
    if not sep:
        raise ValueError(f"{value!r} is not an opening range; use HH:MM-HH:MM, e.g. 08:30-16:30")
    return OpenHours(_parse_clock(opens), _parse_clock(closes))


class RestorationTarget(_Model):
    hours: float = Field(gt=0, description="budget in hours on the calendar")
    calendar: str
    share: Share

    @property
    def budget_seconds(self) -> float:
        return self.hours * 3600


class AnswerTarget(_Model):
    seconds: float = Field(gt=0)
    calendar: str
    share: Share


class Policy(_Model):
    """The whole policy file. Build calendars from it with `build_calendars`."""

    time_zone: str = "America/Toronto"
    warning_thresholds: tuple[int, ...] = (50, 75, 90, 100)
    untargeted_calendar: str = "business"
    holidays: HolidaySpec = HolidaySpec()
    calendars: dict[str, CalendarSpec]
    restoration: dict[Severity, RestorationTarget]
    answer: AnswerTarget

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; e.g. America/Toronto") from None
        return value

    @field_validator("warning_thresholds")
    @classmethod
    def _thresholds(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 < v <= 100 for v in value):
            raise ValueError("thresholds are percentages of the budget, each in 1..100")
        if list(value) != sorted(set(value)):
            raise ValueError("thresholds must be strictly increasing, e.g. [50, 75, 90, 100]")
        return value

    @model_validator(mode="after")
    def _references(self) -> Policy:
        missing = [s.value for s in Severity if s not in self.restoration]
        if missing:
            raise ValueError(f"restoration needs a target for every priority; add {missing}")
        used = {f"restoration.{s.value}.calendar": t.calendar for s, t in self.restoration.items()}
        used["answer.calendar"] = self.answer.calendar
        used["untargeted_calendar"] = self.untargeted_calendar
        for where, name in used.items():
            if name not in self.calendars:
                known = ", ".join(sorted(self.calendars)) or "none"
                raise ValueError(f"{where} names calendar {name!r}, not defined (known: {known})")
        return self

    def target(self, severity: Severity) -> RestorationTarget:
        return self.restoration[severity]


@dataclass(frozen=True, slots=True)
class ClockRules:
    """What computing a ticket's clocks needs: the policy and its calendars, by name."""

    policy: Policy
    calendars: Mapping[str, Calendar]


def build_calendars(policy: Policy) -> dict[str, Calendar]:
    """One `Calendar` per ``[calendars.NAME]`` table of the policy."""
    zone = ZoneInfo(policy.time_zone)
    rules = policy.holidays.rules()
    built: dict[str, Calendar] = {}
    for name, spec in policy.calendars.items():
        if spec.kind == "always":
            built[name] = AlwaysOpenCalendar(name=name, time_zone=zone)
            continue
        assert spec.hours is not None  # checked by CalendarSpec
        hours = _split_hours(spec.hours)
        week = tuple(hours if day in spec.days else None for day in WEEKDAYS)
        built[name] = BusinessCalendar(
            name=name, week=week, holidays=rules if spec.holidays else None, time_zone=zone
        )
    return built


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(whole file)"
        message = error["msg"].removeprefix("Value error, ")
        got = error.get("input")
        shown = "" if isinstance(got, Mapping) or got is None else f" (got {got!r})"
        lines.append(f"  {where}: {message}{shown}")
    return "\n".join(lines)


def parse_policy(data: Mapping[str, Any], source: str = "<policy>") -> Policy:
    """Validate an already-parsed TOML table."""
    try:
        return Policy.model_validate(dict(data))
    except ValidationError as exc:
        raise PolicyError(f"{source}: invalid service-level policy:\n{_describe(exc)}") from None


def loads_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate policy TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    return parse_policy(data, source)


def load_policy(path: Path | str | None = None) -> Policy:
    """Read a policy file; ``None`` gives the shipped default (``bot/sla/policy.toml``)."""
    if path is None:
        return default_policy()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc.strerror or exc}") from None
    return loads_policy(text, str(path))


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The shipped policy with the seed's targets (cached: the file is part of the package)."""
    text = resources.files("bot.sla").joinpath("policy.toml").read_text(encoding="utf-8")
    return loads_policy(text, "bot/sla/policy.toml")
