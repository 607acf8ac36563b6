"""The quoted history of a received mail, folded on the ticket page. The thread shows what the
person wrote now (`Message.body`: quoted history and signature cut at intake); this gives back
the whole text, read again from the stored raw bytes, for the messages where something was cut.
Pure and CPU-bound: the desk calls it in a worker thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from intake.errors import SenderError
from intake.mail.parse import parse_email
from intake.message import Channel

MAX_RAW_BYTES = 5 * 1024 * 1024
"""Larger mail (big attachments) is not read again for a page view; its cut text stays cut."""


@dataclass(frozen=True, slots=True)
class Stored:
    """What `whole_texts` needs of a message row (plain values: safe to hand to a thread)."""

    id: int
    channel: str
    direction: str
    body: str
    raw: bytes


def whole_texts(messages: Iterable[Stored], domain: str) -> dict[int, str]:
    """Message id → its whole text, for the received mail whose history or signature was cut."""
    found: dict[int, str] = {}
    for message in messages:
        if message.direction != "in" or message.channel != Channel.EMAIL.value:
            continue
        if len(message.raw) > MAX_RAW_BYTES:
            continue
        try:
            whole = parse_email(message.raw, our_domain=domain, attachment_cap=0).full_text.strip()
        except SenderError:  # stored as unreadable: nothing more to show than the body
            continue
        if whole and whole != message.body.strip():
            found[message.id] = whole
    return found
