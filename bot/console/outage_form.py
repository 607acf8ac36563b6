"""The console's outage forms, read into what the registry takes (`OutageDraft`, texts).

Pure. Reading only turns the form's strings into types: every rule (texts required, start and
end, known organisations, teams) is the registry's own (`bot.outages.draft`), the same for
Slack, the CLI, the API and the console. An instant typed without an offset (what a browser's
``datetime-local`` sends) is Eastern time, as the status page shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from bot.messages import catalogue, say
from bot.outages.draft import OutageDraft, OutageKind
from bot.outages.errors import InvalidOutage
from bot.outages.render import ZONE
from bot.tickets.labels import Language

FormData = MultiDictProxy[str | bytes | bytearray | FileField]
"""What `aiohttp.web.Request.post()` gives (strings, or files for a multipart form)."""

TEXTS = ("title_fr", "title_en", "text_fr", "text_en", "services", "sites", "team")
INSTANTS = ("starts_at", "expected_end")


@dataclass(frozen=True, slots=True)
class Typed:
    """What the person typed, shown again on the form after a refusal."""

    values: Mapping[str, str] = field(default_factory=dict)
    organisations: frozenset[str] = frozenset()
    planned: bool = False

    def of(self, name: str) -> str:
        return self.values.get(name, "")


class FormError(InvalidOutage):
    """A value the form could not even read (a date that is not one); `field` names it."""


def typed(form: FormData) -> Typed:
    """The form's text fields, organisations ticked and the planned box, as strings."""
    values = {name: _one(form, name) for name in (*TEXTS, *INSTANTS)}
    organisations = frozenset(str(v) for v in form.getall("organisations", []) if str(v).strip())
    return Typed(values, organisations, planned=bool(_one(form, "planned")))


def draft_of(given: Typed) -> OutageDraft:
    """The declaration as the registry takes it (checked there, by `check_draft`)."""
    return OutageDraft(
        title_fr=given.of("title_fr"),
        title_en=given.of("title_en"),
        text_fr=given.of("text_fr"),
        text_en=given.of("text_en"),
        kind=OutageKind.PLANNED if given.planned else OutageKind.OUTAGE,
        starts_at=instant(given.of("starts_at"), "starts_at"),
        expected_end=instant(given.of("expected_end"), "expected_end"),
        services=_items(given.of("services")),
        organisations=tuple(sorted(given.organisations)),
        sites=_items(given.of("sites")),
        team=given.of("team").strip() or None,
    )


def instant(value: str, name: str) -> datetime | None:
    """``2026-12-05T20:00`` (Eastern time) or with an offset; None when empty."""
    cleaned = value.strip()
    if not cleaned:
        return None
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise FormError(name, f"{cleaned[:40]!r} is not a date and time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZONE)


def resolution_texts(form: FormData) -> tuple[str | None, str | None]:
    """The resolution's own words, or None for each left empty (the registry then asks for
    both or neither)."""
    return _one(form, "text_fr").strip() or None, _one(form, "text_en").strip() or None


def explain(error: InvalidOutage, language: Language) -> str:
    """The refusal in the agent's language: what is wrong with which field, and what to do."""
    words = catalogue(language)
    label = words.get(f"console.outages.field.{error.field}", error.field)
    if isinstance(error, FormError):
        return say("console.outages.invalid.not_a_date", language, field=label)
    rule = words.get(f"console.outages.invalid.{error.field}")
    if rule is None:
        return say("console.outages.invalid.other", language, field=label, detail=error.detail)
    return say("console.outages.invalid.field", language, field=label, rule=rule)


def _one(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _items(value: str) -> tuple[str, ...]:
    """``Outlook, Teams`` as a list (the registry refuses empty or overlong items)."""
    return tuple(item.strip() for item in value.split(",") if item.strip())
