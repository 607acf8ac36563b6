"""What a client may send to the tickets API, checked field by field: unknown fields, wrong
types and unknown labels are refused with 400 naming the field (`ApiError`), before any work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, TypeVar

from multidict import MultiMapping

from bot.jsonhttp import ApiError
from bot.sla.queue import SlaState
from bot.tickets import Kind, Level, Severity, Status, Team

E = TypeVar("E", bound=StrEnum)

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_QUERY_CHARS = 200
MAX_NOTE_CHARS = 10_000
MAX_ASSIGNEE_CHARS = 320
MAX_ORGANISATION_CHARS = 64
ME, NOBODY = "me", "none"
"""The assignee filter's two words: the caller, and no one."""

CHANGEABLE = ("kind", "severity", "team", "level", "status", "assignee")
NOTE_FIELDS = ("body", "internal")


@dataclass(frozen=True, slots=True)
class Filters:
    """The queue's filters (`GET /api/v1/tickets`); None: any."""

    status: Status | None = None
    severity: Severity | None = None
    team: Team | None = None
    level: Level | None = None
    organisation: str | None = None
    assignee: str | None = None
    """`me`, `none`, or an agent's email address (lower case)."""
    sla: SlaState | None = None
    q: str = ""
    limit: int = DEFAULT_LIMIT
    offset: int = 0


FILTERS = tuple(f.name for f in fields(Filters))


@dataclass(frozen=True, slots=True)
class Changes:
    """A PATCH: only the fields in `given` change (a given None clears the severity or the
    assignee)."""

    given: frozenset[str]
    kind: Kind | None = None
    severity: Severity | None = None
    team: Team | None = None
    level: Level | None = None
    status: Status | None = None
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    body: str
    internal: bool


def filters_from(query: MultiMapping[str]) -> Filters:
    unknown = sorted(set(query) - set(FILTERS))
    if unknown:
        name = unknown[0][:40]
        raise ApiError.said(400, "unknown_parameter", name, name=name, known=", ".join(FILTERS))
    for name in query:
        if len(query.getall(name)) > 1:
            raise ApiError.said(400, "repeated", name, name=name)
    q = query.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError.said(400, "query_too_long", "q", limit=MAX_QUERY_CHARS)
    return Filters(
        status=_optional_label(Status, "status", query.get("status")),
        severity=_optional_label(Severity, "severity", query.get("severity")),
        team=_optional_label(Team, "team", query.get("team")),
        level=_optional_label(Level, "level", query.get("level")),
        organisation=_organisation(query.get("organisation")),
        assignee=_assignee_filter(query.get("assignee")),
        sla=_optional_label(SlaState, "sla", query.get("sla")),
        q=q.strip(),
        limit=_integer(query.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_integer(query.get("offset"), "offset", 0, 0, 10**9),
    )


def changes_from(body: Mapping[str, Any]) -> Changes:
    _known(body, CHANGEABLE)
    if not body:
        raise ApiError.said(400, "nothing_to_change", "body", known=", ".join(CHANGEABLE))
    values: dict[str, Any] = {}
    for name, enum in (("kind", Kind), ("team", Team), ("level", Level), ("status", Status)):
        if name in body:
            values[name] = _label(enum, name, body[name])
    if "severity" in body:
        given = body["severity"]
        values["severity"] = None if given is None else _label(Severity, "severity", given)
    if "assignee" in body:
        values["assignee"] = _assignee(body["assignee"])
    return Changes(given=frozenset(body), **values)


def note_from(body: Mapping[str, Any]) -> Note:
    _known(body, NOTE_FIELDS)
    text, internal = body.get("body"), body.get("internal")
    if not isinstance(text, str):
        raise ApiError.said(400, "note_required", "body")
    if not text.strip() or len(text) > MAX_NOTE_CHARS:
        raise ApiError.said(400, "note_length", "body", limit=MAX_NOTE_CHARS)
    if not isinstance(internal, bool):
        raise ApiError.said(400, "internal_required", "internal")
    return Note(body=text, internal=internal)


def _known(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for name in body:
        if name not in allowed:
            raise ApiError.said(
                400, "unknown_field", name[:40], name=name[:40], known=", ".join(allowed)
            )


def _label(enum: type[E], name: str, value: object) -> E:
    if not isinstance(value, str):
        raise ApiError.said(400, "label_type", name, name=name, known=_choices(enum))
    try:
        return enum(value)
    except ValueError:
        raise ApiError.said(
            400, "unknown_label", name, name=name, value=value[:40], known=_choices(enum)
        ) from None


def _optional_label(enum: type[E], name: str, value: str | None) -> E | None:
    return _label(enum, name, value) if value else None


def _integer(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ApiError.said(400, "whole_number", name, name=name, low=low, high=high)
    return int(value)


def _assignee(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "@" not in value or len(value) > MAX_ASSIGNEE_CHARS:
        raise ApiError.said(400, "assignee", "assignee")
    return value.strip().lower()


def _organisation(value: str | None) -> str | None:
    if not value:
        return None
    if (
        len(value) > MAX_ORGANISATION_CHARS
        or not value.isascii()
        or not value.replace("-", "").replace("_", "").isalnum()
    ):
        raise ApiError.said(400, "organisation", "organisation")
    return value.lower()


def _assignee_filter(value: str | None) -> str | None:
    if not value:
        return None
    if value in (ME, NOBODY):
        return value
    found = _assignee(value)
    if found is None or not found.strip("@"):
        raise ApiError.said(400, "assignee_filter", "assignee", me=ME, nobody=NOBODY)
    return found


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)
