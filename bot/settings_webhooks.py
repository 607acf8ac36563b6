"""The webhook settings' types, beside `bot.settings` as `bot.settings_slack` is: the endpoints
the operator declares (`WebhookEntry`), strict and frozen, and the events (`WebhookEvent`).

An entry names the endpoint (its lane in the outbox and its name in logs, never the URL), the
URL (http or https only), the shared secret (32 characters at least; `SecretStr`, so it prints
as `**********`) and the events it wants. Anything mis-spelt or unknown refuses the start with
one line naming the entry and what to write, and never quotes the secret.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

SECRET_MIN = 32
"""Characters of a secret at least (`python -c "import secrets; print(secrets.token_hex(32))"`)."""
TIMEOUT_MAX = 60.0
"""Seconds: below the outbox's lease (90 s), so a slow endpoint is never sent a row twice."""
_KEYS = ("name", "url", "secret", "events", "timeout_seconds")


class WebhookEvent(StrEnum):
    OPENED = "ticket.opened"
    CHANGED = "ticket.changed"


class WebhookEntry(BaseModel):
    """One `webhooks` entry. `events` empty or left out means every event."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    url: str = Field(max_length=2000)
    secret: SecretStr
    events: tuple[WebhookEvent, ...] = ()
    timeout_seconds: float = Field(default=10.0, gt=0, le=TIMEOUT_MAX)

    @field_validator("events", mode="before")
    @classmethod
    def _one_name(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def wants(self, event: WebhookEvent) -> bool:
        return not self.events or event in self.events

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # The URL's path or query may carry a token: shown as its scheme and host only.
        for name, value in super().__repr_args__():
            yield name, (shown_url(value) if name == "url" and isinstance(value, str) else value)

    @model_validator(mode="wrap")
    @classmethod
    def _one_line(cls, data: Any, handler: ModelWrapValidatorHandler[WebhookEntry]) -> WebhookEntry:
        """Every problem of the entry as one message naming it (the index is added by
        `bot.settings.explain`); values are never quoted but the name and the event names."""
        try:
            entry = handler(data)
        except ValidationError as exc:
            problems = [_problem(item) for item in exc.errors(include_url=False)]
            raise _entry_error(data, "; ".join(problems)) from None
        parts = urlsplit(entry.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _entry_error(
                data, "url must be an http:// or https:// address with a host, e.g. "
                '"https://hooks.example/guichet"',
            )  # fmt: skip
        if len(entry.secret.get_secret_value()) < SECRET_MIN:
            raise _entry_error(
                data,
                f"secret is shorter than {SECRET_MIN} characters: write a random one, e.g. "
                'the output of python -c "import secrets; print(secrets.token_hex(32))"',
            )
        return entry


def shown_url(url: str) -> str:
    """`url` as logs and reprs may show it: ``https://host/…`` (no user, path or query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "**********"
    return f"{parts.scheme}://{host}{port}/…"


def unique_names(entries: list[WebhookEntry]) -> list[WebhookEntry]:
    """The entries, refused when two share a name (each name is a lane of its own)."""
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise ValueError(f"two webhooks are named {entry.name!r}: give each its own name")
        seen.add(entry.name)
    return entries


def _entry_error(data: Any, problem: str) -> PydanticCustomError:
    name = data.get("name") if isinstance(data, dict) else None
    named = isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name)
    said = f"webhook {name!r}: {problem}" if named else problem
    return PydanticCustomError("webhook_entry", "{said}", {"said": said})


def _problem(item: Any) -> str:
    loc, kind, value = item["loc"], item["type"], item.get("input")
    key = str(loc[0]) if loc else ""
    if kind == "extra_forbidden":
        found = difflib.get_close_matches(key, _KEYS, n=1)
        fix = f"write {found[0]!r}" if found else "remove it"
        return f"unknown key {key!r}; {fix} (the keys are {', '.join(_KEYS)})"
    if kind == "missing":
        return f"{key} is missing: write it"
    if kind == "enum" and key == "events":
        names = [e.value for e in WebhookEvent]
        found = difflib.get_close_matches(str(value), names, n=1)
        hint = f" (did you mean {found[0]!r}?)" if found else ""
        return f"unknown event {str(value)[:40]!r}{hint}; write {' or '.join(names)}"
    if kind == "string_pattern_mismatch" and key == "name":
        return "name must be lower-case letters, digits, '.', '_' or '-' (64 at most)"
    if kind in ("tuple_type", "list_type") and key == "events":
        return 'events must be a list, e.g. events = ["ticket.opened", "ticket.changed"]'
    if not loc:
        return 'not a table: write {"name": "…", "url": "https://…", "secret": "…"}'
    # pydantic's own words, never the value given (it may be the secret).
    return f"{key}: {str(item['msg'])[:1].lower()}{str(item['msg'])[1:]}"
