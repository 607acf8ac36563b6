"""Where a requester is answered: a value that crosses from reading a message (in the triage
process, which loads no store) to the ticket that stores it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intake.message import Channel


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """Where an answer goes: an email thread, or a chat thread."""

    channel: Channel
    address: str
    """Email: the requester's address. Slack: the channel ID."""
    name: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    thread: str | None = None
    """Slack: the `thread_ts` to answer in."""

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value,
            "address": self.address,
            "name": self.name,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "thread": self.thread,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReplyTo:
        """The stored form back; ValueError/KeyError/TypeError when it is not one."""
        in_reply_to, thread = data.get("in_reply_to"), data.get("thread")
        return cls(
            channel=Channel(data["channel"]),
            address=str(data["address"]),
            name=str(data.get("name") or ""),
            in_reply_to=None if in_reply_to is None else str(in_reply_to),
            references=tuple(str(r) for r in data.get("references") or ()),
            thread=None if thread is None else str(thread),
        )
