"""Shared builders for the SLA tests: the shipped policy and its calendars."""

from __future__ import annotations

from datetime import datetime

from bot.sla.calendar import Calendar
from bot.sla.policy import Policy, build_calendars, default_policy

POLICY: Policy = default_policy()
CALENDARS: dict[str, Calendar] = build_calendars(POLICY)
BUSINESS = CALENDARS["business"]
ANSWER = CALENDARS["answer"]
ALWAYS = CALENDARS["always"]

HOUR = 3600.0


def t(text: str) -> datetime:
    """An aware instant from ISO 8601 text (offsets are mandatory in these tests)."""
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text
    return value
