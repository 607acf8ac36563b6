"""What a person declares, and its checks. Pure: every error names the field to fix.

The same checks serve the CLI and the HTTP API; `draft_from_json`, `update_from_json` and
`resolution_from_json` read an API body (a JSON object) and raise `InvalidOutage` naming the
bad field, never a `KeyError` or a `TypeError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.outages.errors import InvalidOutage
from nlp.labels import Team

TITLE_MAX = 200
TEXT_MAX = 4000
LIST_MAX = 50
ITEM_MAX = 100
SKEW = timedelta(minutes=5)
"""Clock difference tolerated between the declarer's "now" and ours."""

_HIDDEN = (
    "\x7f-\x9f"  # DEL and the C1 controls
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates (Trojan Source)
    "\ud800-\udfff"  # lone surrogates: no encoding can store or send them
    "\ufffe\uffff"  # not characters; XML 1.0 §2.2 forbids them, as it forbids most C0
)
ONE_LINE_CONTROLS = re.compile(f"[\x00-\x1f{_HIDDEN}]")
"""What a title, a name or a list item may not hold: it is shown on one line in a Slack post,
a mail subject, an Atom feed (XML cannot carry C0 controls) and the status page."""
TEXT_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f{_HIDDEN}]")
"""What a description may not hold: the same, except line feeds and tabs."""


def without_controls(value: str, *, multiline: bool = False) -> str:
    """`value` with the characters above removed: what renderings show of rows stored before
    they were refused (a title with an escape character made the French feed answer 500)."""
    if multiline:
        return TEXT_CONTROLS.sub("", value.replace("\r\n", "\n"))
    return ONE_LINE_CONTROLS.sub("", value)


def refuse_controls(value: str, field: str, *, multiline: bool = False) -> str:
    """`value`, or `InvalidOutage` naming the field and the first character refused (by its
    code point: the character itself is never echoed back)."""
    found = (TEXT_CONTROLS if multiline else ONE_LINE_CONTROLS).search(value)
    if found is not None:
        allowed = "; line breaks and tabs are allowed" if multiline else ""
        raise InvalidOutage(
            field,
            f"control characters are not allowed in {field} "
            f"(U+{ord(found.group()):04X} at character {found.start() + 1}{allowed})",
        )
    return value


class OutageKind(StrEnum):
    OUTAGE = "outage"
    PLANNED = "planned"


class OutageStatus(StrEnum):
    PLANNED = "planned"
    """A planned interruption that has not started."""
    ACTIVE = "active"
    RESOLVED = "resolved"


class NoticeKind(StrEnum):
    DECLARED = "declared"
    UPDATE = "update"
    ANNOUNCE = "announce"
    """A planned interruption, announced once its lead time is reached."""
    REMINDER = "reminder"
    """A planned interruption, announced again as it starts."""
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class OutageDraft:
    """A new outage as declared. `starts_at` None means now (required for a planned one)."""

    title_fr: str
    title_en: str
    text_fr: str
    text_en: str
    kind: OutageKind = OutageKind.OUTAGE
    starts_at: datetime | None = None
    expected_end: datetime | None = None
    services: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    """Client organisation ids (`bot/data/organisations.toml`); empty means all of them."""
    sites: tuple[str, ...] = ()
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Texts:
    """The two texts of a notice (an update, or a resolution's own words)."""

    text_fr: str
    text_en: str
    expected_end: datetime | None = None


def check_draft(draft: OutageDraft, now: datetime) -> OutageDraft:
    """The draft cleaned (stripped, lists deduplicated, start filled in), or `InvalidOutage`."""
    kind = OutageKind(draft.kind)
    starts_at = draft.starts_at
    if starts_at is not None:
        aware(starts_at, "starts_at")
    if kind is OutageKind.PLANNED:
        if starts_at is None:
            raise InvalidOutage("starts_at", "a planned interruption needs its start instant")
        if starts_at < now - SKEW:
            raise InvalidOutage(
                "starts_at", "a planned interruption cannot start in the past; declare an outage"
            )
    elif starts_at is None:
        starts_at = now
    elif starts_at > now + SKEW:
        raise InvalidOutage(
            "starts_at", "an outage cannot start in the future; declare a planned interruption"
        )
    end = check_end(draft.expected_end, starts_at)
    team = (draft.team or "").strip().lower() or None
    if team is not None and team not in {t.value for t in Team}:
        choices = ", ".join(t.value for t in Team)
        raise InvalidOutage("team", f"{draft.team!r} is not a team; use one of {choices}")
    return replace(
        draft,
        kind=kind,
        title_fr=text(draft.title_fr, "title_fr", TITLE_MAX),
        title_en=text(draft.title_en, "title_en", TITLE_MAX),
        text_fr=text(draft.text_fr, "text_fr", TEXT_MAX, multiline=True),
        text_en=text(draft.text_en, "text_en", TEXT_MAX, multiline=True),
        starts_at=starts_at,
        expected_end=end,
        services=names(draft.services, "services"),
        organisations=tuple(o.lower() for o in names(draft.organisations, "organisations")),
        sites=names(draft.sites, "sites"),
        team=team,
    )


def check_texts(text_fr: str, text_en: str) -> Texts:
    return Texts(
        text(text_fr, "text_fr", TEXT_MAX, multiline=True),
        text(text_en, "text_en", TEXT_MAX, multiline=True),
    )


def check_end(end: datetime | None, starts_at: datetime) -> datetime | None:
    if end is None:
        return None
    aware(end, "expected_end")
    if end <= starts_at:
        raise InvalidOutage(
            "expected_end", f"ends before it starts ({starts_at.isoformat()}); check both instants"
        )
    return end


def aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidOutage(
            field, "the instant has no UTC offset; add one, e.g. 2026-06-23T15:00:00-04:00"
        )
    return value


def text(value: object, field: str, limit: int, *, multiline: bool = False) -> str:
    """A title (one line) or a description (`multiline`: line feeds and tabs kept), stripped."""
    if not isinstance(value, str) or not value.strip():
        language = "French" if field.endswith("_fr") else "English"
        raise InvalidOutage(field, f"the {language} text is missing; give both French and English")
    cleaned = value.replace("\r\n", "\n").strip() if multiline else value.strip()
    if len(cleaned) > limit:
        raise InvalidOutage(field, f"{len(cleaned)} characters; keep it under {limit}")
    return refuse_controls(cleaned, field, multiline=multiline)


def names(values: Iterable[object], field: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidOutage(field, "every item must be a non-empty string")
        if len(value.strip()) > ITEM_MAX:
            shown = without_controls(value[:20])
            raise InvalidOutage(field, f"{shown!r}… is longer than {ITEM_MAX} characters")
        found.setdefault(refuse_controls(value.strip(), field), None)
    if len(found) > LIST_MAX:
        raise InvalidOutage(field, f"at most {LIST_MAX} items")
    return tuple(found)


# Reading API bodies ---------------------------------------------------------------------------


def draft_from_json(body: object) -> OutageDraft:
    """An `OutageDraft` from a declaration body (checked later by `check_draft`)."""
    data = _object(body)
    kind = _optional_str(data, "kind") or OutageKind.OUTAGE.value
    if kind not in {k.value for k in OutageKind}:
        raise InvalidOutage("kind", f"{kind!r} is not a kind; use 'outage' or 'planned'")
    return OutageDraft(
        title_fr=_str(data, "title_fr"),
        title_en=_str(data, "title_en"),
        text_fr=_str(data, "text_fr"),
        text_en=_str(data, "text_en"),
        kind=OutageKind(kind),
        starts_at=_instant(data, "starts_at"),
        expected_end=_instant(data, "expected_end"),
        services=_list(data, "services"),
        organisations=_list(data, "organisations"),
        sites=_list(data, "sites"),
        team=_optional_str(data, "team"),
    )


def update_from_json(body: object) -> Texts:
    data = _object(body)
    texts = check_texts(_str(data, "text_fr"), _str(data, "text_en"))
    return replace(texts, expected_end=_instant(data, "expected_end"))


def resolution_from_json(body: object) -> tuple[str | None, str | None]:
    """The resolution's own words, or (None, None) for the standard "service restored" text."""
    data = _object(body if body is not None else {})
    return _optional_str(data, "text_fr"), _optional_str(data, "text_en")


def _object(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise InvalidOutage("body", "send one JSON object")
    return body


def _str(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidOutage(field, "must be a string")
    return value


def _optional_str(data: Mapping[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidOutage(field, "must be a string")
    return value


def _list(data: Mapping[str, Any], field: str) -> tuple[str, ...]:
    value = data.get(field)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidOutage(field, "must be a list of strings")
    return names(value, field)


def _instant(data: Mapping[str, Any], field: str) -> datetime | None:
    value = _optional_str(data, field)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidOutage(
            field, f"{value!r} is not an ISO 8601 instant, e.g. 2026-06-23T15:00:00-04:00"
        ) from None
    return aware(parsed, field)
