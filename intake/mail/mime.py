"""Safe accessors for one MIME part: type, parameters, file name, decoded payload.

The standard library parses lazily, so reading a header or a payload is where malformed mail
raises; every accessor here turns that into a neutral value (RFC 2045 §5.2: a Content-Type
that cannot be read means text/plain).
"""

from __future__ import annotations

import mimetypes
import re
from email.message import Message

from intake.mail.charset import decode_header_text


def message_bytes(part: Message) -> bytes:
    try:
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes()
        raw = part.get_payload(decode=True)
        return raw if isinstance(raw, bytes) else b""
    except Exception:  # an unserialisable forwarded message still has a name
        return b""


def children_of(part: Message) -> list[Message]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    if isinstance(payload, list):
        return [child for child in payload if isinstance(child, Message)]
    return []


def content_type(part: Message) -> str:
    try:
        ctype = part.get_content_type()
    except Exception:  # RFC 2045 §5.2: unreadable means text/plain
        return "text/plain"
    return ctype if isinstance(ctype, str) else "text/plain"


def param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return value if isinstance(value, str) else None


def charset_of(part: Message) -> str | None:
    return param(part, "charset")


def disposition_of(part: Message) -> str:
    try:
        value = part.get_content_disposition()
    except Exception:
        return ""
    return value or ""


def filename_of(part: Message) -> str:
    try:
        name = part.get_filename() or param(part, "name") or ""
    except Exception:  # a broken RFC 2231 parameter: no name
        name = ""
    if "\ufffd" in str(name):
        # Raw 8-bit bytes in the parameter (RFC 2231 unused): the policy replaced them;
        # read them again from the raw header and guess the charset like any other text.
        name = _raw_filename(part) or name
    # Outlook writes RFC 2047 words in parameters, which RFC 2047 §5 forbids; decode anyway.
    return decode_header_text(str(name))


_RAW_NAME = re.compile(r"""\b(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))""", re.I)


def _raw_filename(part: Message) -> str:
    try:
        items = list(part.raw_items())
    except Exception:
        return ""
    for header in ("content-disposition", "content-type"):
        for key, value in items:
            if str(key).lower() == header:
                match = _RAW_NAME.search(str(value))
                if match:
                    return match.group(1) or match.group(2) or ""
    return ""


def payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # undecodable transfer encoding: the raw text
        data = None
    if isinstance(data, bytes):
        return data
    try:
        raw = part.get_payload()
    except Exception:
        return b""
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def content_id(part: Message) -> str:
    try:
        value = str(part.get("content-id", "") or "")
    except Exception:
        return ""
    return value.strip().strip("<>").strip()


_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")


def safe_name(name: str) -> str:
    """Just the file name: no directories (Windows clients send full paths), no controls."""
    name = _UNSAFE.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255]


def guess_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"
