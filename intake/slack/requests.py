"""Checks on a request to `/slack/events` before Bolt sees it: its size, Slack's signature, and
the shape of what it carries.

Slack retries a request answered 5xx, so the sender's mistakes must be 4xx: too large → 413
before the body is read, unsigned, badly signed or stale → 401 before it is parsed, signed but
not what Slack sends → 400. The body of a refused request is never logged (it is whatever
anyone sent). Signature: https://api.slack.com/authentication/verifying-requests-from-slack
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

MAX_BYTES = 1024**2
"""1 MiB, aiohttp's documented default `client_max_size`. Slack's largest legitimate payloads
stay well below it (a message is at most 40,000 characters, with at most 50 blocks of 3,000);
bolt-js refuses above 4 MB for the same reason (its `bodyLimit`, v5.1.0)."""

MAX_AGE_SECONDS = 300
"""Slack: refuse requests whose timestamp is more than five minutes away (replays)."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


async def read_capped(request: web.Request, limit: int = MAX_BYTES) -> bytes | None:
    """The body, or None as soon as it is known to be larger than `limit` (by its
    Content-Length, or by what arrives: a client may send more than it announced, or chunks)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    while chunk := await request.content.readany():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def signature_problem(
    raw: bytes, timestamp: str | None, signature: str | None, secret: str, now: float
) -> str | None:
    """Why Slack did not sign this request, or None when it did (in constant time)."""
    if timestamp is None or signature is None:
        return "unsigned"
    if _TIMESTAMP.fullmatch(timestamp) is None:
        return "timestamp is not a number of seconds"
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return "timestamp more than five minutes away"
    if _SIGNATURE.fullmatch(signature) is None:
        return "signature is not v0=<hex>"
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "signature does not match"
    return None


# What the bot reads, with the type Slack documents; None (JSON null) is tolerated for optional
# fields because our code reads them with `or ""`.
_EVENT_FIELDS: dict[str, type] = {
    "type": str,
    "user": str,
    "channel": str,
    "channel_type": str,
    "ts": str,
    "thread_ts": str,
    "event_ts": str,
    "text": str,
    "subtype": str,
    "bot_id": str,
    "bot_profile": dict,
    "files": list,
    "reaction": str,
    "item": dict,
    "item_user": str,
}
_FILE_FIELDS: dict[str, type] = {
    "id": str,
    "name": str,
    "mimetype": str,
    "url_private": str,
    "size": int,
}
_ITEM_FIELDS: dict[str, type] = {"type": str, "channel": str, "ts": str}
_ENVELOPE_FIELDS: dict[str, type] = {
    "team_id": str,
    "event_id": str,
    "api_app_id": str,
    "authorizations": list,
}
_ACTIONS_FIELDS: dict[str, type] = {
    "type": str,
    "user": dict,
    "team": dict,
    "channel": dict,
    "actions": list,
    "container": dict,
    "message": dict,
    "response_url": str,
    "trigger_id": str,
}
_ACTION_FIELDS: dict[str, type] = {
    "action_id": str,
    "block_id": str,
    "value": str,
    "action_ts": str,
    "selected_option": dict,
}
# Bolt reads these as an ID string or as an object with an "id".
_IDS = ("user", "team", "channel", "enterprise")


def shape_problem(body: object) -> str | None:
    """What is wrong with a (signed) body as Bolt parsed it, or None when it is Slack-shaped.
    The answer names fields, never their values."""
    if not isinstance(body, Mapping):
        return "the body is not an object"
    # What Bolt reads of every request, whatever its kind (context, self-event filter)
    problem = _fields(body, _ENVELOPE_FIELDS, "") or _ids(body)
    if problem:
        return problem
    for each in body.get("authorizations") or ():
        if not isinstance(each, Mapping):
            return "authorizations holds something other than objects"
    if "event" in body and _event(body["event"]) is not None:
        return _event(body["event"])
    if "command" in body or "ssl_check" in body:  # a slash command's form: strings only
        command = body.get("command")
        if "ssl_check" in body or (isinstance(command, str) and command.startswith("/")):
            return None
        return "command does not start with /"
    kind = body.get("type")
    if not isinstance(kind, str):
        return "type is missing or not a string"
    if kind == "url_verification" and not isinstance(body.get("challenge"), str):
        return "challenge is not a string"
    if kind == "event_callback" and "event" not in body:
        return "event is missing"
    if kind == "block_actions":
        return _block_actions(body)
    return None


def _event(event: object) -> str | None:
    if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    problem = _fields(event, _EVENT_FIELDS, "event.")
    if problem:
        return problem
    for item in event.get("files") or ():
        if not isinstance(item, Mapping):
            return "event.files holds something other than objects"
        problem = _fields(item, _FILE_FIELDS, "event.files[].")
        if problem:
            return problem
    item = event.get("item")
    return _fields(item, _ITEM_FIELDS, "event.item.") if isinstance(item, Mapping) else None


def _block_actions(body: Mapping[str, Any]) -> str | None:
    problem = _fields(body, _ACTIONS_FIELDS, "")
    if problem:
        return problem
    actions = body.get("actions")
    if not isinstance(actions, list):
        return "actions is not a list"
    for action in actions:
        if not isinstance(action, Mapping):
            return "actions holds something other than objects"
        problem = _fields(action, _ACTION_FIELDS, "actions[].")
        if problem:
            return problem
    return None


def _ids(body: Mapping[str, Any]) -> str | None:
    for name in _IDS:
        value = body.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, Mapping) or not isinstance(value.get("id", ""), str):
            return f"{name} is neither an ID nor an object with an id"
    return None


def _fields(data: Mapping[str, Any], expected: Mapping[str, type], where: str) -> str | None:
    for name, kind in expected.items():
        value = data.get(name)
        if value is None:
            continue
        # bool is an int in Python; a size of `true` is not a size
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{where}{name} is not a {_NAMES[kind]}"
    return None


_NAMES = {str: "string", int: "number", list: "list", dict: "object"}
