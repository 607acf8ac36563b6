"""Which Slack events become messages for the bot: pure functions of the event payload.

Slack sends one `message` event per message in every conversation the bot is in, an extra
`app_mention` when the bot is @mentioned, and `reaction_added` for reactions. The rules:
- never a bot's message (`bot_id`, subtype `bot_message`, or the bot's own user);
- never an edit, a deletion or a channel notice: only plain messages, file shares and thread
  broadcasts carry something a person wrote to us;
- a `message` counts in a direct message with the bot, in a configured support channel, or as a
  reply in a thread the caller knows is a ticket's thread; an `app_mention` counts anywhere;
- `reaction_added` counts when the reaction is the configured one (:ticket:) on a message.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from intake.slack.envelope import Kind, SlackFile

# Subtypes that are a person writing (https://api.slack.com/events/message#subtypes).
HUMAN_SUBTYPES = frozenset({"", "file_share", "thread_broadcast"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """An event that may become an envelope (thread filtering and user lookup still to come)."""

    kind: Kind
    channel: str
    channel_type: str
    user: str
    text: str
    ts: str
    thread_ts: str
    files: tuple[SlackFile, ...]


def is_from_bot(event: Mapping[str, Any], bot_user_id: str) -> bool:
    return bool(
        event.get("bot_id")
        or event.get("bot_profile")
        or event.get("subtype") == "bot_message"
        or (bot_user_id and event.get("user") == bot_user_id)
    )


def files_of(event: Mapping[str, Any]) -> tuple[SlackFile, ...]:
    found = []
    for item in event.get("files") or ():
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            found.append(
                SlackFile(
                    id=item["id"],
                    name=str(item.get("name", "")),
                    mimetype=str(item.get("mimetype", "")),
                    size=int(item.get("size", 0) or 0),
                    url_private=str(item.get("url_private", "")),
                )
            )
    return tuple(found)


def candidate(kind: Kind, event: Mapping[str, Any], bot_user_id: str) -> Candidate | None:
    """The person's message in `event`, or None for bots, edits, deletions and notices."""
    if is_from_bot(event, bot_user_id):
        return None
    if str(event.get("subtype") or "") not in HUMAN_SUBTYPES:
        return None
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (isinstance(user, str) and user and isinstance(channel, str) and isinstance(ts, str)):
        return None
    return Candidate(
        kind=kind,
        channel=channel,
        channel_type=str(event.get("channel_type") or _type_from_id(channel)),
        user=user,
        text=str(event.get("text") or ""),
        ts=ts,
        thread_ts=str(event.get("thread_ts") or ""),
        files=files_of(event),
    )


def message_scope(found: Candidate, support_channels: Collection[str]) -> str:
    """Why a `message` event counts: `direct`, `support`, `thread` (to check) or `` (ignore)."""
    if found.channel_type == "im":
        return "direct"
    if found.channel in support_channels:
        return "support"
    if found.thread_ts and found.thread_ts != found.ts:
        return "thread"
    return ""


def mentions(text: str, bot_user_id: str) -> bool:
    """True when a `message` event's text @mentions the bot (its `app_mention` twin will come)."""
    return bool(bot_user_id) and f"<@{bot_user_id}>" in text


def reaction_target(
    event: Mapping[str, Any], reaction: str, bot_user_id: str
) -> tuple[str, str, str] | None:
    """(channel, ts, reactor) of a :ticket: reaction on a message, else None."""
    if event.get("reaction") != reaction or is_from_bot(event, bot_user_id):
        return None
    item = event.get("item")
    if not isinstance(item, Mapping) or item.get("type") != "message":
        return None
    channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
    if isinstance(channel, str) and isinstance(ts, str) and isinstance(user, str):
        return channel, ts, user
    return None


def _type_from_id(channel: str) -> str:
    """Slack's ID prefixes: D = direct message, G = private/group, C = channel."""
    return {"D": "im", "G": "group"}.get(channel[:1], "channel")
