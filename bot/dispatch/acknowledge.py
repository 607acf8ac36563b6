"""The acknowledgement of a new ticket: what a person needs to know, in their language.

The ticket number and how to add to it; the proposed priority in words (the triage guide's
names); when a person should answer at the latest, from the service-level policy (the "answer a
user" target on its calendar, shown in the policy's time zone); the centre's opening hours from
the same calendar; the status page when the service has a public URL. Email gets a full letter,
chat a short paragraph in the thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.messages import catalogue, say
from bot.sla.calendar import WEEKDAYS, Calendar
from bot.sla.policy import CalendarSpec, Policy, build_calendars, default_policy
from bot.texts import TRIMMED
from bot.tickets.labels import language_of
from nlp import Triage
from nlp.labels import Language


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str


class Acknowledgements:
    """Renders acknowledgements with the service-level policy's answer target and hours."""

    def __init__(
        self,
        policy: Policy | None = None,
        calendars: Mapping[str, Calendar] | None = None,
        status_url: str = "",
    ) -> None:
        self._policy = policy or default_policy()
        self._calendars = calendars or build_calendars(self._policy)
        self._status_url = status_url
        hours = self._policy.calendars[self._policy.answer.calendar]
        self._hours = {lang: hours_words(hours, lang) for lang in Language}  # the same for all

    def first_answer_due(self, opened: datetime) -> datetime:
        """When a person should have answered, at the latest: the policy's "answer a user"
        target counted on its calendar from the opening, rounded up to the minute."""
        answer = self._policy.answer
        calendar = self._calendars[answer.calendar]
        due = calendar.add_business_seconds(opened, answer.seconds)
        due = due.astimezone(calendar.time_zone)
        if due.second or due.microsecond:
            due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return due

    def render(
        self,
        *,
        language: str,
        number: str,
        name: str,
        subject: str,
        triage: Triage | None,
        opened: datetime,
        channel: str = "email",
    ) -> Rendered:
        lang = language_of(language)
        words = catalogue(lang)
        shown = subject.strip() or say("ack.no_subject", lang)
        style = "email" if channel == "email" else "chat"
        due = self.first_answer_due(opened)
        text = TRIMMED.get_template(f"ack.{style}.{lang.value}.txt.j2").render(
            number=number,
            name=name,
            subject=shown,
            priority=priority_words(triage, lang),
            kind=words.get(f"ack.kind.{triage.kind}", "") if triage and triage.kind else "",
            due=instant_words(due, lang),
            zone=words.get(f"ack.zone.{self._policy.time_zone}", self._policy.time_zone),
            hours=self._hours[lang],
            status_url=self._status_url,
        )
        return Rendered(say("ack.subject", lang, number=number, subject=shown), text)


def priority_words(triage: Triage | None, language: str) -> str:
    """``3 — modérée`` / ``3 — moderate``; empty without a proposed severity."""
    if triage is None or triage.severity is None:
        return ""
    severity = str(triage.severity)
    return f"{severity[1:]} — {say(f'ack.priority.{severity}', language_of(language))}"


def instant_words(value: datetime, language: str) -> str:
    """``lundi 23 novembre 2026 à 9 h 01`` / ``Monday, November 23, 2026, 9:01 AM``."""
    lang = language_of(language)
    return say(
        "ack.instant",
        lang,
        day=_day_name(WEEKDAYS[value.weekday()], lang),
        date=value.day,
        month=say(f"calendar.month.{value.month}", lang),
        year=value.year,
        clock=_clock(value, lang),
    )


def hours_words(spec: CalendarSpec, language: str) -> str:
    """``du lundi au vendredi, de 7 h 30 à 17 h, sauf les jours fériés`` / ``Monday to Friday,
    7:30 AM to 5:00 PM, except public holidays``."""
    lang = language_of(language)
    if spec.kind == "always":
        return say("ack.always_open", lang)
    assert spec.hours is not None  # a business calendar has hours (checked by the policy)
    opens, _, closes = spec.hours.partition("-")
    start, end = _time(opens), _time(closes)
    days = _day_range(spec.days, lang)
    text = say("ack.hours", lang, days=days, opens=_clock(start, lang), closes=_clock(end, lang))
    return text + (say("ack.except_holidays", lang) if spec.holidays else "")


def _time(text: str) -> datetime:
    hour, minute = (int(part) for part in text.strip().split(":"))
    return datetime(2000, 1, 1, hour, minute)


def _clock(value: datetime, language: Language) -> str:
    return _clock_en(value) if language == Language.EN else _clock_fr(value)


def _day_name(day: str, language: Language) -> str:
    return say(f"calendar.day.{day}", language)


def _clock_fr(value: datetime) -> str:
    # Office québécois de la langue française: 9 h 05, 17 h.
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


def _clock_en(value: datetime) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def _day_range(days: tuple[str, ...], language: Language) -> str:
    index = sorted(WEEKDAYS.index(d) for d in days)
    names = [_day_name(WEEKDAYS[i], language) for i in index]
    if len(index) >= 3 and index == list(range(index[0], index[-1] + 1)):
        return say("ack.day_range", language, first=names[0], last=names[-1])
    listed = names
    joined = ", ".join(listed[:-1]) + say("ack.last_of_list", language) + listed[-1]
    return joined if len(listed) > 1 else listed[0]
