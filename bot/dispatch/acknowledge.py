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

from bot.sla.calendar import WEEKDAYS, Calendar
from bot.sla.policy import CalendarSpec, Policy, build_calendars, default_policy
from bot.texts import TRIMMED
from nlp import Triage

_SUBJECT = {
    "fr": "[{number}] Accusé de réception : {subject}",
    "en": "[{number}] Acknowledgement: {subject}",
}
_NO_SUBJECT = {"fr": "(sans objet)", "en": "(no subject)"}
# The triage guide's severity names (Critique, Élevé, Modérée, Faible, Planifié), agreed with
# "priorité" in French.
_PRIORITY = {
    "fr": {"P1": "critique", "P2": "élevée", "P3": "modérée", "P4": "faible", "P5": "planifiée"},
    "en": {"P1": "critical", "P2": "high", "P3": "moderate", "P4": "low", "P5": "planned"},
}
_KIND = {
    "fr": {
        "incident": "incident",
        "request": "demande de service",
        "question": "question",
        "status": "suivi d'une demande",
    },
    "en": {
        "incident": "incident",
        "request": "service request",
        "question": "question",
        "status": "follow-up",
    },
}
_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_ZONES = {
    "America/Toronto": {"fr": "heure de l'Est", "en": "Eastern time"},
    "America/Montreal": {"fr": "heure de l'Est", "en": "Eastern time"},
}


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
        lang = language if language in _SUBJECT else "fr"
        shown = subject.strip() or _NO_SUBJECT[lang]
        style = "email" if channel == "email" else "chat"
        due = self.first_answer_due(opened)
        text = TRIMMED.get_template(f"ack.{style}.{lang}.txt.j2").render(
            number=number,
            name=name,
            subject=shown,
            priority=priority_words(triage, lang),
            kind=_KIND[lang].get(str(triage.kind), "") if triage and triage.kind else "",
            due=instant_words(due, lang),
            zone=_ZONES.get(self._policy.time_zone, {}).get(lang, self._policy.time_zone),
            hours=hours_words(self._policy.calendars[self._policy.answer.calendar], lang),
            status_url=self._status_url,
        )
        return Rendered(_SUBJECT[lang].format(number=number, subject=shown), text)


def priority_words(triage: Triage | None, language: str) -> str:
    """``3 — modérée`` / ``3 — moderate``; empty without a proposed severity."""
    if triage is None or triage.severity is None:
        return ""
    severity = str(triage.severity)
    return f"{severity[1:]} — {_PRIORITY[language][severity]}"


def instant_words(value: datetime, language: str) -> str:
    """``lundi 23 novembre 2026 à 9 h 01`` / ``Monday, November 23, 2026, 9:01 AM``."""
    day = _DAYS[language][value.weekday()]
    if language == "en":
        return f"{day}, {_MONTHS_EN[value.month - 1]} {value.day}, {value.year}, {_clock_en(value)}"
    return f"{day} {value.day} {_MONTHS_FR[value.month - 1]} {value.year} à {_clock_fr(value)}"


def hours_words(spec: CalendarSpec, language: str) -> str:
    """``du lundi au vendredi, de 7 h 30 à 17 h, sauf les jours fériés`` / ``Monday to Friday,
    7:30 AM to 5:00 PM, except public holidays``."""
    if spec.kind == "always":
        return "24 heures sur 24, 7 jours sur 7" if language == "fr" else "24/7"
    assert spec.hours is not None  # a business calendar has hours (checked by the policy)
    opens, _, closes = spec.hours.partition("-")
    start, end = _time(opens), _time(closes)
    days = _day_range(spec.days, language)
    if language == "en":
        text = f"{days}, {_clock_en(start)} to {_clock_en(end)}"
        return text + (", except public holidays" if spec.holidays else "")
    text = f"{days}, de {_clock_fr(start)} à {_clock_fr(end)}"
    return text + (", sauf les jours fériés" if spec.holidays else "")


def _time(text: str) -> datetime:
    hour, minute = (int(part) for part in text.strip().split(":"))
    return datetime(2000, 1, 1, hour, minute)


def _clock_fr(value: datetime) -> str:
    # Office québécois de la langue française: 9 h 05, 17 h.
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


def _clock_en(value: datetime) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def _day_range(days: tuple[str, ...], language: str) -> str:
    names = _DAYS[language]
    index = sorted(WEEKDAYS.index(d) for d in days)
    if len(index) >= 3 and index == list(range(index[0], index[-1] + 1)):
        first, last = names[index[0]], names[index[-1]]
        return f"du {first} au {last}" if language == "fr" else f"{first} to {last}"
    listed = [names[i] for i in index]
    joined = ", ".join(listed[:-1]) + (" et " if language == "fr" else " and ") + listed[-1]
    return joined if len(listed) > 1 else listed[0]
