"""The policy file: the seed's defaults, edits without code, and errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sla.calendar import AlwaysOpenCalendar, BusinessCalendar
from bot.sla.clock import due_at
from bot.sla.errors import PolicyError
from bot.sla.policy import build_calendars, default_policy, load_policy, loads_policy
from nlp.labels import Severity

from .helpers import t

SHIPPED = (Path(__file__).parents[2] / "bot" / "sla" / "policy.toml").read_text(encoding="utf-8")


def test_shipped_policy_holds_the_seed_targets() -> None:
    policy = default_policy()
    hours = {s: policy.target(s).hours for s in Severity}
    assert hours == {
        Severity.P1: 3,
        Severity.P2: 5,
        Severity.P3: 10,
        Severity.P4: 16,
        Severity.P5: 40,
    }
    shares = [policy.target(s).share for s in Severity]
    assert shares == [0.85, 0.85, 0.80, 0.80, 0.80]
    calendars = [policy.target(s).calendar for s in Severity]
    assert calendars == ["always", "always", "business", "business", "business"]
    assert (policy.answer.seconds, policy.answer.calendar, policy.answer.share) == (
        40,
        "answer",
        0.85,
    )
    assert policy.warning_thresholds == (50, 75, 90, 100)
    assert policy.holidays.extra_yearly == ()
    assert policy.time_zone == "America/Toronto"


def test_calendars_built_from_the_policy() -> None:
    built = build_calendars(default_policy())
    assert isinstance(built["always"], AlwaysOpenCalendar)
    business, answer = built["business"], built["answer"]
    assert isinstance(business, BusinessCalendar) and isinstance(answer, BusinessCalendar)
    monday = t("2026-02-02T00:00:00-05:00")
    tuesday = t("2026-02-03T00:00:00-05:00")
    assert business.business_seconds(monday, tuesday) == 8 * 3600
    assert answer.business_seconds(monday, tuesday) == 9.5 * 3600
    assert business.week[5] is None and business.week[6] is None


def test_edit_without_code_changes_the_due_instant(tmp_path: Path) -> None:
    edited = SHIPPED.replace("[restoration.P3]\nhours = 10", "[restoration.P3]\nhours = 8")
    edited = edited.replace("extra_dates = []", "extra_dates = [2026-06-25]")
    path = tmp_path / "policy.toml"
    path.write_text(edited, encoding="utf-8")
    policy = load_policy(path)
    due = due_at(Severity.P3, t("2026-06-23T15:00:00-04:00"), [], policy, build_calendars(policy))
    # 1.5 h Tuesday; 24 and 25 June closed; 6.5 h on Friday 26 June.
    assert due.isoformat() == "2026-06-26T15:00:00-04:00"


def test_public_service_extras(tmp_path: Path) -> None:
    edited = SHIPPED.replace(
        "extra_yearly = []", 'extra_yearly = ["easter_monday", "12-24", "12-26", "12-31", "01-02"]'
    )
    policy = loads_policy(edited)
    calendar = build_calendars(policy)["business"]
    assert not calendar.is_open(t("2026-04-06T10:00:00-04:00"))  # Easter Monday
    due = due_at(Severity.P3, t("2026-12-23T12:00:00-05:00"), [], policy, build_calendars(policy))
    # 4.5 h on 23 Dec; 24, 25 closed; weekend; 28–30 Dec.
    assert due.isoformat() == "2026-12-28T14:00:00-05:00"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "[restoration.P3]\nhours = 10",
            "[restoration.P3]\nhours = -1",
            "restoration.P3.hours: Input should be greater than 0",
        ),
        ("share = 0.80", "share = 80", "e.g. 0.85 for 85 %"),
        (
            'calendar = "business"\nshare = 0.80',
            'calendar = "bussiness"\nshare = 0.80',
            "names calendar 'bussiness'",
        ),
        ("[restoration.P5]", "[restoration.P6]", "restoration.P6"),
        ('hours = "08:30-16:30"', 'hours = "8h30-16h30"', "calendars.business.hours"),
        ('hours = "08:30-16:30"', 'hours = "16:30-08:30"', "must be after opening"),
        ('kind = "always"', 'kind = "always"\nhours = "00:00-23:59"', "takes no hours"),
        ('time_zone = "America/Toronto"', 'time_zone = "America/Quebec"', "unknown time zone"),
        (
            "warning_thresholds = [50, 75, 90, 100]",
            "warning_thresholds = [90, 50]",
            "strictly increasing",
        ),
        ("extra_yearly = []", 'extra_yearly = ["easter"]', "holidays.extra_yearly"),
        ('subdivision = "QC"', 'subdivision = "XX"', "holidays package knows no"),
        (
            'days = ["mon", "tue", "wed", "thu", "fri"]\nholidays = true\n\n[calendars.answer]',
            'days = ["mon", "mardi"]\nholidays = true\n\n[calendars.answer]',
            "calendars.business.days.1",
        ),
        ("[answer]\nseconds = 40", "[answer]\nsecond = 40", "answer.second: Extra inputs"),
    ],
)
def test_errors_say_what_and_where(old: str, new: str, expected: str) -> None:
    assert old in SHIPPED
    with pytest.raises(PolicyError) as info:
        loads_policy(SHIPPED.replace(old, new, 1), "site.toml")
    assert str(info.value).startswith("site.toml: invalid service-level policy")
    assert expected in str(info.value)


def test_missing_priority_is_named() -> None:
    start = SHIPPED.index("[restoration.P5]")
    end = SHIPPED.index("[answer]")
    with pytest.raises(PolicyError, match=r"add \['P5'\]"):
        loads_policy(SHIPPED[:start] + SHIPPED[end:])


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"not valid TOML.*line"):
        loads_policy("hours = = 3")
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "absent.toml")
