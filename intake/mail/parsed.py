"""What an email is once parsed: the fields the bot acts on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Automated(StrEnum):
    """Why a message was written by a machine, not a person (RFC 3834 and real servers' habits)."""

    AUTO_REPLY = "auto_reply"
    OUT_OF_OFFICE = "out_of_office"
    BOUNCE = "bounce"
    LIST = "list"
    LOOP = "loop"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    content: bytes | None
    """None when the part is over the size cap: metadata is kept, the bytes are not."""
    inline: bool = False


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    message_id: str | None
    """Without angle brackets."""
    sender: str
    """Bare address, lower-cased; empty when the message has none."""
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    body: str
    """What the person wrote now: quoted history and signature removed."""
    full_text: str
    """The whole text part, as sent."""
    attachments: tuple[Attachment, ...]
    automated: Automated | None
    reply_to: str = ""
