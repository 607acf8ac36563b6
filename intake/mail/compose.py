"""`OutboundMessage` → RFC 5322 bytes, safe against header injection, for any Python text.

Two CPython (3.11) defects shape this module. Its header folder drops the space between two
encoded-words when it refolds a long non-ASCII subject, so about one French subject in ten came
out as "Impossibled'accéder" (python/cpython gh-144156, fixed after 3.11). And its address parser
decodes an encoded-word inside a local part, which RFC 2047 §5 (3) forbids. So Subject, From and
To are rendered here, in base64 encoded-words that keep every space inside them and are at most
75 characters long (RFC 2047 §2, §4.1; `email.base64mime` encodes them), and `_Policy` writes
them as rendered.
"""

from __future__ import annotations

import email.policy
import email.utils
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import base64mime
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any, Protocol

from intake.errors import DeliveryRefused
from intake.mail.charset import unicode_text
from intake.mail.headers import addr_spec
from intake.mail.policy import RememberingRegistry
from intake.message import OutboundMessage

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LINESEP = "\r\n"
# RFC 5322 §3.2.3 specials (and white space): a display name holding one is quoted.
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")


def clean_header(value: str) -> str:
    """One line of Unicode, no control characters: CR/LF in a subject or a name cannot add a
    header, and text from anywhere (surrogate escapes included) can be encoded."""
    return " ".join(_CONTROL.sub(" ", unicode_text(value)).split())


class _Rendered(str):
    """A header value already encoded and folded by this module: written as it is."""

    __slots__ = ()


class _Policy(EmailPolicy):
    """`email.policy.SMTP`, except that `_Rendered` values are neither re-parsed nor refolded."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, _Rendered):
            return (name, value)
        return super().header_store_parse(name, value)

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if isinstance(value, _Rendered):
            return value
        return super().header_fetch_parse(name, value)

    def fold(self, name: str, value: str) -> str:
        if isinstance(value, _Rendered):
            return f"{name}: {value}{self.linesep}"
        folded: str = super().fold(name, value)
        return folded

    def fold_binary(self, name: str, value: str) -> bytes:
        if isinstance(value, _Rendered):
            # An address may be UTF-8 (RFC 6532 §3.2); everything else here is ASCII.
            return self.fold(name, value).encode("utf-8")
        line, limit = f"{name}: {value}", self.max_line_length
        if (limit is None or len(line) <= limit) and line.isascii() and line.isprintable():
            # A short ASCII line (the MIME headers `set_content` writes) is its own folding:
            # refolding it from its parse tree cost as much as encoding the subject.
            return (line + self.linesep).encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _Policy(linesep=_LINESEP, header_factory=RememberingRegistry())


def compose(message: OutboundMessage, *, sender: str, sender_name: str, now: datetime) -> bytes:
    """Build the MIME message. `sender` is the service's own address.

    Never raises on any subject, name or text; an address that is no addr-spec is a permanent
    `DeliveryRefused` (no server could deliver it either).
    """
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = _Rendered(_mailbox(sender_name, sender, "From"))
    msg["To"] = _Rendered(
        ("," + _LINESEP + " ").join(_mailbox(message.to_name, to, "To") for to in message.to)
    )
    msg["Subject"] = _Rendered(_text("Subject", clean_header(message.subject)))
    # Plain ASCII made here: written as they are (the header registry's parse of each is most
    # of the cost of composing an acknowledgement).
    msg["Date"] = _Rendered(email.utils.format_datetime(now))
    msg["Message-ID"] = _Rendered(f"<{_ascii(message.message_id)}>")
    if message.in_reply_to:
        msg["In-Reply-To"] = _Rendered(f"<{_ascii(message.in_reply_to)}>")
    if message.references:  # one id per line: no line near the 998-character limit
        ids = (f"<{_ascii(r)}>" for r in message.references)
        msg["References"] = _Rendered((_LINESEP + " ").join(ids))
    if message.auto_submitted:
        # RFC 3834 §5: automatic responses say so; Exchange honours its own suppress header.
        msg["Auto-Submitted"] = _Rendered("auto-replied")
        msg["X-Auto-Response-Suppress"] = _Rendered("All")
    # Recognised on the way back in (intake.mail.automated): our own mail never opens a ticket.
    msg["X-Guichet-Loop"] = _Rendered(_ascii(sender.rpartition("@")[2]) or "guichet")
    for name, value in message.headers:
        field = re.sub(r"[^!-9;-~]", "", name) or "X-Guichet"  # RFC 5322 §2.2 field name
        msg[field] = _Rendered(_text(field, clean_header(value)))
    msg.set_content(_BODY_CONTROL.sub("", unicode_text(message.text)))
    return msg.as_bytes()


@dataclass(frozen=True, slots=True)
class Refused:
    """A message `compose_all` could not compose, and why (a `DeliveryRefused`, permanent)."""

    reason: str


def compose_all(
    messages: Sequence[OutboundMessage], sender: str, sender_name: str, now: datetime
) -> list[bytes | Refused]:
    """`compose` of each message, in order: pure, so it may run in another process (the
    triage process, where a core is free: `Composer`). A message that cannot be composed (a
    bad address, a header the encoder refuses) is refused alone: it never will be."""
    out: list[bytes | Refused] = []
    for message in messages:
        try:
            out.append(compose(message, sender=sender, sender_name=sender_name, now=now))
        except DeliveryRefused as refused:
            out.append(Refused(str(refused)[:_REASON]))
        except Exception as exc:
            out.append(Refused(f"cannot be composed: {type(exc).__name__}: {exc}"[:_REASON]))
    return out


_REASON = 300
"""What a refusal keeps of its error (an exception's text may quote what it choked on)."""


class Composer(Protocol):
    """Port: composes outbound mail (`compose_all`) where it runs best: here, or in another
    process when a core is free. Each message gives its bytes, or `Refused`."""

    async def compose_all(
        self, messages: Sequence[OutboundMessage], sender: str, sender_name: str, now: datetime
    ) -> list[bytes | Refused]: ...


class LocalComposer:
    """The `Composer` that composes here, on the event loop."""

    async def compose_all(
        self, messages: Sequence[OutboundMessage], sender: str, sender_name: str, now: datetime
    ) -> list[bytes | Refused]:
        return compose_all(messages, sender, sender_name, now)


def _text(name: str, value: str) -> str:
    """An unstructured header value, RFC 2047-encoded when it is not plain short ASCII."""
    plain = value.isascii() and "=?" not in value and all(len(w) <= 70 for w in value.split())
    if not plain:
        return _encoded_words(value, first_line=_LINE - len(name) - 2)
    return Header(value, "us-ascii", header_name=name).encode(linesep=_LINESEP)


_LINE = 76
"""RFC 2047 §2: a line holding encoded-words is at most 76 characters long."""
_WORD_OVERHEAD = len("=?utf-8?b??=")


def _encoded_words(value: str, *, first_line: int) -> str:
    """`value` as base64 encoded-words (RFC 2047 §4.1), one per line, each as long as its line
    allows and never splitting a character (§5 (3)); the spaces stay inside the words.

    `email.header.Header` does the same but measures each candidate word one character at a
    time (quadratic, most of the cost of composing a French acknowledgement): here the text is
    encoded to UTF-8 once and cut between characters (never before a continuation byte), and
    `email.base64mime` encodes each piece."""
    data = value.encode("utf-8")
    words: list[str] = []
    room = first_line
    start = 0
    while start < len(data) or not words:
        # base64 turns every 3 bytes (or fewer, at the end) into 4 characters
        end = start + 3 * ((room - _WORD_OVERHEAD) // 4)
        while start < end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1  # not inside a character
        if end <= start:  # no room for one character: it goes alone
            end = start + 1
            while end < len(data) and data[end] & 0xC0 == 0x80:
                end += 1
        words.append(base64mime.header_encode(data[start:end], "utf-8"))
        start, room = end, _LINE - 1  # a continuation line starts with a space
    return (_LINESEP + " ").join(words)


@functools.lru_cache(maxsize=256)
def _mailbox(name: str, address: str, field: str) -> str:
    """`Name <addr>`: the name encoded as a phrase (RFC 2047 §5 (3)), the address as it is."""
    spec = addr_spec(clean_header(address))
    if not spec:
        raise DeliveryRefused(f"{field}: not an email address", permanent=True)
    name = clean_header(name)
    if not name:
        return spec
    if _PLAIN_PHRASE.fullmatch(name) and "=?" not in name:
        phrase = name
    elif name.isascii() and "=?" not in name:
        phrase = email.utils.quote(name).join('""')
    else:
        # One encoded-word when it fits RFC 2047 §2's 75 characters: readers disagree on the
        # space between the encoded-words of a phrase (CPython's parser adds one, RFC 2047
        # §6.2 says none), so a usual name never has two.
        phrase = _encoded_words(name, first_line=_LINE)
    return f"{phrase} <{spec}>"


def _ascii(value: str) -> str:
    """A msg-id's text (RFC 5322 §3.6.4 is ASCII): anything else is dropped."""
    return re.sub(r"[^!-;=?-~]", "", clean_header(value).strip("<>"))
