"""Header values read defensively: raw, then decoded by us (RFC 5322, RFC 2047, RFC 6532).

The modern policy's header objects parse on access and some malformed values make them raise
(or parse surprisingly), so every read here starts from `raw_items()` and decodes with the
lenient helpers in `charset`. Nothing in this module raises on bad input.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime
from email.message import Message

from intake.mail.charset import decode_header_text


class Headers:
    """Decoded header values by lower-case name, in message order."""

    __slots__ = ("_raw", "_values")

    def __init__(self, msg: Message) -> None:
        self._values: dict[str, list[str]] = {}
        self._raw: dict[str, list[str]] = {}
        try:
            items = list(msg.raw_items())
        except Exception:  # a message with unreadable headers has none
            items = []
        for name, value in items:
            key = str(name).strip().lower()
            raw = value if isinstance(value, str) else str(value)
            self._values.setdefault(key, []).append(decode_header_text(raw))
            self._raw.setdefault(key, []).append(" ".join(raw.split()))

    def get(self, name: str) -> str:
        """The first value of `name`, decoded, or an empty string."""
        values = self._values.get(name.lower())
        return values[0] if values else ""

    def raw(self, name: str) -> str:
        """All values of `name` joined by commas, still RFC 2047-encoded (for address lists,
        where a decoded display name may contain a comma)."""
        return ", ".join(self._raw.get(name.lower(), []))

    def get_all(self, name: str) -> list[str]:
        return list(self._values.get(name.lower(), []))

    def has(self, name: str) -> bool:
        return name.lower() in self._values

    def names(self) -> list[str]:
        return list(self._values)


# The look-behind starts a match only at the start of a token: linear, not quadratic, on
# long runs of address characters (a 100 kB From header took 48 s without it).
_ADDR = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+",
    re.U,
)


def addresses(value: str) -> list[tuple[str, str]]:
    """(display name, bare lower-case address) pairs; invalid entries are skipped."""
    if not value:
        return []
    out: list[tuple[str, str]] = []
    try:
        pairs = email.utils.getaddresses([value])
    except Exception:  # fall back to finding addresses in the text
        pairs = []
    for display, addr in pairs:
        addr = decode_header_text(addr.strip().strip("<>").strip()).lower()
        if "@" in addr and " " not in addr and addr.count("@") == 1:
            out.append((decode_header_text(display).strip("\"' "), addr))
    if not out:
        value = decode_header_text(value)
        # `Name <addr` without the closing bracket, or `addr (Name)` mangled: take what looks
        # like an address (RFC 5322 §3.4.1 addr-spec, roughly).
        found = _ADDR.findall(value)
        out = [("", addr.lower().strip("'\"")) for addr in found]
    return out


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_ANGLE = re.compile(r"<\s*([^<>\s\"]+@[^<>\s\"]+?)\s*>")


def first_address(value: str) -> tuple[str, str]:
    """The mailbox of a From-like header: the angle-bracket address when there is one.

    RFC 5322 §3.4 puts the address in angle brackets after the display name; senders who
    write `alice@x <bob@y>` (an address as display name) mean bob, as mail clients show.
    """
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group(0)), value)
    angle = _ANGLE.search(unquoted)
    if angle is not None:
        display = value[: angle.start()].strip().strip(",").strip()
        if display.startswith('"') and display.endswith('"') and len(display) >= 2:
            display = display[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        address = decode_header_text(angle.group(1)).lower()
        if address.count("@") == 1:
            return decode_header_text(display).strip("'\" "), address
    found = addresses(value)
    if found:
        return found[0]
    # A bare local part ("From: MAILER-DAEMON", RFC 5321 §4.5.1's postmaster): keep it.
    bare = decode_header_text(value).strip().strip("<>").strip().lower()
    return ("", bare) if bare and re.fullmatch(r"[\w.+-]{1,64}", bare) else ("", "")


_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str) -> tuple[str, ...]:
    """Message-IDs in a header, without angle brackets (RFC 5322 §3.6.4 msg-id)."""
    found = [ident.strip() for ident in _ID.findall(value)]
    if not found:
        # Some clients omit the brackets: accept whitespace-separated tokens with an "@".
        found = [tok.strip("<>,;") for tok in value.split() if "@" in tok]
    seen: dict[str, None] = {}
    for ident in found:
        if ident:
            seen.setdefault(ident, None)
    return tuple(seen)


def one_message_id(value: str) -> str | None:
    ids = message_ids(value)
    if ids:
        return ids[0]
    bare = value.strip().strip("<>").strip()
    return bare if bare and " " not in bare else None


def date_of(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
