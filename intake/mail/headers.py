"""Header values read defensively: raw, then decoded by us (RFC 5322, RFC 2047, RFC 6532).

The modern policy's header objects parse on access and some malformed values make them raise
(or parse surprisingly), so every read here starts from `raw_items()` and decodes with the
lenient helpers in `charset`. Nothing in this module raises on bad input.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Collection
from datetime import datetime
from email.headerregistry import Address
from email.message import Message

from intake.mail.charset import decode_bytes, decode_header_text, unicode_text


class Headers:
    """Decoded header values by lower-case name, in message order. Each name's values are
    decoded when first asked for: most headers of real mail (Received, DKIM, vendors' X-
    headers) are never read."""

    __slots__ = ("_decoded", "_raw_values", "_spelled")

    def __init__(self, msg: Message, only: Collection[str] | None = None) -> None:
        """Every header of `msg`, or only those named in `only` (lower case)."""
        self._raw_values: dict[str, list[str]] = {}
        self._decoded: dict[str, list[str]] = {}
        self._spelled: dict[str, list[str]] = {}
        try:
            items = list(msg.raw_items())
        except Exception:  # a message with unreadable headers has none
            items = []
        for name, value in items:
            key = str(name).strip().lower()
            if only is not None and key not in only:
                continue
            self._raw_values.setdefault(key, []).append(
                value if isinstance(value, str) else str(value)
            )

    def _values(self, key: str) -> list[str]:
        values = self._decoded.get(key)
        if values is None:
            values = [decode_header_text(v) for v in self._raw_values.get(key, ())]
            self._decoded[key] = values
        return values

    def get(self, name: str) -> str:
        """The first value of `name`, decoded, or an empty string."""
        values = self._values(name.lower())
        return values[0] if values else ""

    def raw(self, name: str) -> str:
        """All values of `name` joined by commas, still RFC 2047-encoded: for address lists,
        where a decoded display name may contain a comma and an address is never decoded.
        Raw 8-bit bytes are decoded (RFC 6532 allows UTF-8 addresses), RFC 2047 words not."""
        key = name.lower()
        spelled = self._spelled.get(key)
        if spelled is None:
            spelled = [_eight_bit(" ".join(v.split())) for v in self._raw_values.get(key, ())]
            self._spelled[key] = spelled
        return ", ".join(spelled)

    def get_all(self, name: str) -> list[str]:
        return list(self._values(name.lower()))

    def has(self, name: str) -> bool:
        return name.lower() in self._raw_values

    def names(self) -> list[str]:
        return list(self._raw_values)


def _eight_bit(value: str) -> str:
    try:  # the parser's escapes of raw 8-bit bytes, read as UTF-8 first (RFC 6532)
        return decode_bytes(value.encode("ascii", "surrogateescape"))
    except UnicodeEncodeError:
        return unicode_text(value)


MAX_ADDRESS_HEADER = 64 * 1024
"""Address headers are read up to here: 2,000 recipients, far beyond any real Cc."""

# The look-behind starts a match only at the start of a token: linear, not quadratic, on
# long runs of address characters (a 100 kB From header took 48 s without it).
_ADDR = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+",
    re.U,
)
# RFC 5322 §3.4.1 addr-spec, with RFC 6532 §3.2's UTF-8: a dot-atom (any character but the
# specials, white space and controls) or a quoted string, "@", a dot-atom or a domain literal.
_ATOM_TEXT = '[^\\s\x00-\x1f\x7f"(),:;<>@\\[\\]\\\\]{1,255}'
_LOCAL = re.compile(_ATOM_TEXT)
_QUOTED_LOCAL = re.compile(r'"((?:[^"\\\x00-\x1f\x7f]|\\[^\x00-\x1f\x7f]){1,128})"')
_DOMAIN = re.compile(rf"{_ATOM_TEXT}|\[[^\[\]\\\s]{{1,255}}\]")


def addr_spec(value: str) -> str:
    """The canonical, lower-case form of an RFC 5322 addr-spec, or "" when `value` is none.

    Never RFC 2047-decoded: an encoded-word never appears in an addr-spec (RFC 2047 §5 (3)), so
    `=?utf-8?q?x=40a.example?=@msss.example` is a mailbox at msss.example, not x@a.example. A
    quoted local part keeps its quotes only when it needs them (`"john smith"@msss.example`,
    but `"john"@x` is `john@x`, RFC 5321 §4.1.2).
    """
    local, at, domain = value.strip().removeprefix("<").removesuffix(">").strip().rpartition("@")
    if not at or not _DOMAIN.fullmatch(domain):
        return ""
    quoted = _QUOTED_LOCAL.fullmatch(local)
    if quoted is not None:
        username = re.sub(r"\\(.)", r"\1", quoted.group(1))
    elif _LOCAL.fullmatch(local) is not None:
        username = local
    else:
        return ""
    try:
        return Address(username=username, domain=domain).addr_spec.lower()
    except (ValueError, IndexError):  # the stdlib refuses it (CR or LF): not an address
        return ""


def split_addr_spec(address: str) -> tuple[str, str]:
    """(local part without its quotes, domain) of an address made by `addr_spec`."""
    local, _, domain = address.rpartition("@")
    quoted = _QUOTED_LOCAL.fullmatch(local)
    return (re.sub(r"\\(.)", r"\1", quoted.group(1)) if quoted else local), domain


def addresses(value: str) -> list[tuple[str, str]]:
    """(display name, bare lower-case address) pairs; invalid entries are skipped.

    Display names are decoded (RFC 2047 §5 (2)), addresses never (see `addr_spec`)."""
    if not value:
        return []
    value = value[:MAX_ADDRESS_HEADER]
    out: list[tuple[str, str]] = []
    try:
        pairs = email.utils.getaddresses([value])
    except Exception:  # fall back to finding addresses in the text
        pairs = []
    for display, addr in pairs:
        address = addr_spec(addr)
        if address:
            out.append((decode_header_text(display).strip("\"' "), address))
    if not out:
        # `Name <addr` without the closing bracket, or `addr (Name)` mangled: take what looks
        # like an address (RFC 5322 §3.4.1 addr-spec, roughly).
        found = (addr_spec(addr.strip("'\"")) for addr in _ADDR.findall(value))
        out = [("", addr) for addr in found if addr]
    return out


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_ANGLE = re.compile(r"<([^<>]{1,400})>")
_BARE_LOCAL = re.compile(r"[\w.+-]{1,64}")


def first_address(value: str) -> tuple[str, str]:
    """The mailbox of a From-like header: the angle-bracket address when there is one.

    RFC 5322 §3.4 puts the address in angle brackets after the display name; senders who
    write `alice@x <bob@y>` (an address as display name) mean bob, as mail clients show.
    """
    value = value[:MAX_ADDRESS_HEADER]
    # Quoted strings blanked (same length), so a "<" inside a display name is not a bracket;
    # the address itself is then read from `value` at the same place.
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group(0)), value)
    angle = _ANGLE.search(unquoted)
    if angle is not None:
        address = addr_spec(value[angle.start(1) : angle.end(1)])
        if address:
            display = value[: angle.start()].strip().strip(",").strip()
            if display.startswith('"') and display.endswith('"') and len(display) >= 2:
                display = display[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            return decode_header_text(display).strip("'\" "), address
    found = addresses(value)
    if found:
        return found[0]
    # A bare local part ("From: MAILER-DAEMON", RFC 5321 §4.5.1's postmaster): keep it.
    bare = value.strip().strip("<>").strip().lower()
    return ("", bare) if bare and _BARE_LOCAL.fullmatch(bare) else ("", "")


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
