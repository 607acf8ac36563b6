"""The bytes a Slack message becomes: one canonical JSON envelope, and its parser.

The envelope is what the bot commits as `InboundMessage.raw`. It is deterministic for one Slack
event (sorted keys, no whitespace, no timestamps of ours), so a retried delivery of the same event
hashes the same. Two different events about the same Slack message (the `message` event and its
`app_mention` twin, or a :ticket: reaction on a message already turned into a ticket) differ in
`kind` and `event_id`, so the bot must dedupe on `message_id` — `slack:<team>:<channel>:<ts>` —
which names the Slack message itself and is stable across events, retries and restarts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from intake.errors import SenderError

Kind = Literal["message", "mention", "reaction"]
KINDS: tuple[Kind, ...] = ("message", "mention", "reaction")
VERSION = 1


@dataclass(frozen=True, slots=True)
class SlackFile:
    """A file shared with the message; the bot fetches `url_private` with the bot token."""

    id: str
    name: str = ""
    mimetype: str = ""
    size: int = 0
    url_private: str = ""


@dataclass(frozen=True, slots=True)
class SlackEnvelope:
    """One Slack message as the bot reads it back.

    `user` is the author of the message (for a reaction: the author of the reacted message, and
    `reacted_by` the person who reacted). `thread_ts` is set when the message is a reply in a
    thread (then it differs from `ts`): the bot looks the thread up to file a follow-up.
    `channel_type` is Slack's (`im`, `channel`, `group`, `mpim`).
    """

    kind: Kind
    message_id: str
    event_id: str
    team: str
    channel: str
    channel_type: str
    user: str
    text: str
    ts: str
    thread_ts: str = ""
    user_email: str = ""
    user_name: str = ""
    user_locale: str = ""
    reacted_by: str = ""
    permalink: str = ""
    files: tuple[SlackFile, ...] = field(default=())
    version: int = VERSION

    @property
    def is_reply(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts

    @property
    def language(self) -> str:
        """`fr` or `en` from the Slack locale (French when unknown: the service is in Quebec)."""
        return "en" if self.user_locale.lower().startswith("en") else "fr"

    def to_bytes(self) -> bytes:
        return encode(self)


def message_id_for(team: str, channel: str, ts: str) -> str:
    """The dedupe key of one Slack message, whatever event delivered it."""
    return f"slack:{team}:{channel}:{ts}"


def any_team(channel: str, ts: str) -> str:
    """The id of one of *our* posts, recorded when it is sent (Slack's answer names no team);
    a reply in its thread looks it up this way as well as by `message_id_for`."""
    return f"slack:*:{channel}:{ts}"


def encode(envelope: SlackEnvelope) -> bytes:
    data = asdict(envelope)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def parse_envelope(raw: bytes) -> SlackEnvelope:
    """Read an envelope back; `SenderError` when the bytes are not one."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SenderError("not a Slack envelope", str(exc)[:200]) from None
    if not isinstance(data, dict):
        raise SenderError("not a Slack envelope", "not a JSON object")
    try:
        return _from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise SenderError(
            "not a Slack envelope", f"{exc.__class__.__name__}: {exc}"[:200]
        ) from None


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if required and key not in data:
        raise KeyError(key)
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def _from_dict(data: dict[str, Any]) -> SlackEnvelope:
    kind = _text(data, "kind", required=True)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    version = data.get("version", VERSION)
    if version != VERSION:
        raise ValueError(f"unknown envelope version {version!r}")
    files_data = data.get("files", [])
    if not isinstance(files_data, list):
        raise TypeError("files is not a list")
    files = tuple(
        SlackFile(
            id=_text(f, "id", required=True),
            name=_text(f, "name"),
            mimetype=_text(f, "mimetype"),
            size=int(f.get("size", 0)),
            url_private=_text(f, "url_private"),
        )
        for f in files_data
    )
    required = ("message_id", "team", "channel", "user", "ts")
    values = {key: _text(data, key, required=key in required) for key in _STRINGS}
    return SlackEnvelope(kind=kind, files=files, **values)  # type: ignore[arg-type]


_STRINGS = (
    "message_id",
    "event_id",
    "team",
    "channel",
    "channel_type",
    "user",
    "text",
    "ts",
    "thread_ts",
    "user_email",
    "user_name",
    "user_locale",
    "reacted_by",
    "permalink",
)
