"""What names a received message (`bot.receive` stores each once): its Message-ID and, for email,
its sender, read from its bytes alone. Pure and free of the store's libraries, so the triage
process may read a storm's keys beside the service (`bot.triager.ProcessTriager.keys_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from intake.errors import SenderError
from intake.mail.headers import first_address, one_message_id
from intake.mail.parse import read_headers
from intake.message import Channel, InboundMessage
from intake.slack.envelope import parse_envelope

MAX_ID_BYTES = 500
"""Longer Message-IDs are not keys (the message dedupes by content only): the column's size,
and (with the sender) within what a PostgreSQL index entry can hold."""


@dataclass(frozen=True, slots=True)
class MessageKey:
    """What names a message: its Message-ID (None: none usable) and, for email, its sender."""

    channel: str
    message_id: str | None
    sender: str
    by_id_alone: bool


_KEY_HEADERS = frozenset({"message-id", "from", "sender"})


def key_of(inbound: InboundMessage) -> MessageKey:
    """The Message-ID of an email with its From address (read from the headers only, as the
    parser reads them later); the `slack:<team>:<channel>:<ts>` of a Slack message."""
    if inbound.channel == Channel.EMAIL:
        headers = read_headers(inbound.raw, _KEY_HEADERS)
        mid, sender = None, ""
        if headers is not None:
            mid = one_message_id(headers.get("message-id"))
            sender = (
                first_address(headers.raw("from"))[1] or first_address(headers.raw("sender"))[1]
            )
        return MessageKey(inbound.channel, _usable(mid), sender[:320], by_id_alone=False)
    if inbound.channel == Channel.SLACK:
        try:
            mid = parse_envelope(inbound.raw).message_id
        except SenderError:
            mid = None  # kept and quarantined by the dispatcher, with the reason
        # The sender is filled in when the message is processed; until then the signed id
        # alone is unique, and the store's constraint guards it against a concurrent twin.
        return MessageKey(inbound.channel, _usable(mid), "", by_id_alone=True)
    return MessageKey(inbound.channel, None, "", by_id_alone=True)


def keys_of(inbounds: Sequence[InboundMessage]) -> list[MessageKey]:
    """`key_of` each message, in order."""
    return [key_of(inbound) for inbound in inbounds]


def _usable(mid: str | None) -> str | None:
    if mid is None or len(mid.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        return None  # absurd ids dedupe by content only
    return mid
