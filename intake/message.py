"""The two types that cross the intake boundary: what comes in, what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SLACK = "slack"
    WEB = "web"
    WEBHOOK = "webhook"
    """Outbound only: an operator's HTTP endpoint (`bot.webhooks`); no ticket comes by it."""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message as it arrived, before anything is parsed or decided.

    `raw` is the exact bytes (an RFC 5322 message for email); the bot commits them before
    parsing. `source` names the connector; `ref` is the connector's own handle (a file name, an
    IMAP UID) that it needs back in `confirm()` once the message is safely stored.
    """

    channel: Channel
    raw: bytes
    received_at: datetime
    source: str
    ref: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One notification to deliver. For email, `message_id` is ours and encodes the ticket.

    For Slack, `to` holds one channel ID, `thread` the `thread_ts` to answer in, `blocks` the
    Block Kit JSON (text stays the notification fallback), and `replaces` the `ts` of a message to
    update in place (`chat.update`) instead of posting a new one.
    """

    channel: Channel
    to: tuple[str, ...]
    subject: str
    text: str
    message_id: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    to_name: str = ""
    auto_submitted: bool = True
    headers: tuple[tuple[str, str], ...] = field(default=())
    thread: str | None = None
    blocks: str | None = None
    replaces: str | None = None
