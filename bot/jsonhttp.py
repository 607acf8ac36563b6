"""The HTTP discipline of a JSON API: the bearer header (RFC 6750), a bounded body, one JSON
object of bounded depth (RFC 8259), and errors as ``{"error", "field"}``. A client's mistake
is a 4xx naming what to fix, never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.messages import say
from bot.tickets.labels import Language


class ApiError(Exception):
    """The request cannot be served as sent: `status` and the `field` to fix. Made with `said`,
    it carries a catalogue key (`api.*`) and its fields: the API answers in English (its text),
    the console says it in the agent's language (`render`)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.key: str | None = None
        self.fields: dict[str, object] = {}

    @classmethod
    def said(cls, status: int, key: str, field: str | None = None, **fields: object) -> ApiError:
        made = cls(status, say(f"api.{key}", Language.EN, **fields), field)
        made.key, made.fields = f"api.{key}", fields
        return made

    def render(self, language: Language) -> str:
        return say(self.key, language, **self.fields) if self.key else str(self)


def bearer(header: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    scheme, _, given = header.strip().partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        return None
    return given


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The body, refused with 413 once it is known to be larger than `max_bytes` (the declared
    length first, then while reading: a chunked body is counted too)."""
    too_large = ApiError.said(413, "too_large", "body", limit=max_bytes)
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    raw = bytearray()
    while chunk := await request.content.readany():
        raw += chunk
        if len(raw) > max_bytes:
            raise too_large
    return bytes(raw)


def parse_object(raw: bytes, max_depth: int) -> dict[str, Any]:
    """One JSON object (UTF-8), nested at most `max_depth` deep, or a 400 naming the body."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError.said(400, "not_utf8", "body") from None
    deep = ApiError.said(400, "too_deep", "body", depth=max_depth)
    if _brackets_deeper_than(text, max_depth):
        raise deep  # before json.loads, which recurses once per level
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise deep from None
    except ValueError:
        raise ApiError.said(400, "not_json", "body") from None
    if not isinstance(parsed, dict):
        raise ApiError.said(400, "not_object", "body")
    return parsed


def _brackets_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects at once (brackets inside
    strings are skipped; a malformed text is left for the parser to refuse)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def error(status: int, message: str, field: str | None = None, *, realm: str) -> web.Response:
    """The JSON error body; a 401 says how to authenticate (RFC 6750 §3)."""
    body: dict[str, Any] = {"error": message}
    if field:
        body["field"] = field
    response = web.json_response(body, status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer realm="{realm}"'
    return response
