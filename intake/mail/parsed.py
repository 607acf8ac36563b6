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


class Unreadable(StrEnum):
    """Why a message is quarantined: the `reason` of the `SenderError` that parse_email raises."""

    EMPTY = "empty"
    NOT_AN_EMAIL = "not_an_email"
    """No RFC 5322 header at the top: binary junk, a document, a truncated file."""
    OUTLOOK_MSG = "outlook_msg"
    """An Outlook .msg (OLE compound file) dropped in the folder instead of an .eml."""
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    UNPARSEABLE = "unparseable"
    """Anything else the parser choked on; the detail names the exception."""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    """Base name only (no directories); empty when the sender gave none."""
    content_type: str
    size: int
    """Decoded size in bytes, also when `content` is dropped."""
    content: bytes | None
    """None when the part is over the size cap: metadata is kept, the bytes are not."""
    inline: bool = False
    """Shown in the text (a pasted screenshot, a signature logo) rather than attached."""
    content_id: str = ""
    """RFC 2392 Content-ID without brackets, what `cid:` links in the HTML point to."""


@dataclass(frozen=True, slots=True)
class Bounce:
    """What a delivery-status notice says (RFC 3464), or what we could read from a free-form one."""

    recipients: tuple[str, ...]
    """Addresses that failed or are delayed, lower-cased."""
    permanent: bool
    """True for a hard bounce (status 5.x.x, RFC 3463): stop mailing these addresses."""
    status: str = ""
    """The first enhanced status code seen, e.g. "5.1.1"; empty when none was given."""


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
    """What the person wrote now: quoted history and signature removed (a forward keeps the
    forwarded message, which is what is being reported)."""
    full_text: str
    """The whole readable text, as sent (HTML converted), forwarded messages included."""
    attachments: tuple[Attachment, ...]
    automated: Automated | None
    reply_to: str = ""
    bounce: Bounce | None = None
    """Set when `automated` is BOUNCE and the notice names recipients."""
    automated_evidence: str = ""
    """Which header or rule made the message automated, for the log and the console."""
    forwarded: bool = False
    html: str = ""
    """The HTML body as sent (empty for plain-text mail), for the console's faithful view."""
    returned_ids: tuple[str, ...] = ()
    """For a delivery report: Message-ID, In-Reply-To and References of the message it
    returns, so a bounce of our own notification finds its ticket."""
