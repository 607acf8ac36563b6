"""Outlook's TNEF (`winmail.dat`, application/ms-tnef): the files and text hidden inside.

Exchange wraps attachments and a rich body in TNEF when it believes the recipient is also
Outlook ([MS-OXTNEF]). A mail client that does not decode it shows one opaque winmail.dat, so we
unwrap it with tnefparse. The RTF body is compressed ([MS-OXRTFCP]); we decompress it here
(tnefparse needs the optional `compressed_rtf` package for that) and keep the plain text.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from tnefparse.tnef import TNEF

from intake.mail.charset import decode_bytes
from intake.mail.html import html_to_text


@dataclass(frozen=True, slots=True)
class TnefFile:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class TnefContent:
    files: tuple[TnefFile, ...]
    text: str


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type in ("application/ms-tnef", "application/vnd.ms-tnef") or (
        filename.lower() == "winmail.dat"
    )


def unpack_tnef(data: bytes) -> TnefContent | None:
    """The files and body text inside a TNEF blob, or None when it is not valid TNEF."""
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception:  # tnefparse raises assorted errors on corrupt input
        return None
    files: list[TnefFile] = []
    for attachment in getattr(tnef, "attachments", []) or []:
        try:
            name = str(attachment.long_filename() or attachment.name or "")
            payload = attachment.data
        except Exception:  # one unreadable attachment does not spoil the rest
            name, payload = "", None
        if isinstance(payload, bytes):
            files.append(TnefFile(name.strip("\x00 "), payload))
    return TnefContent(tuple(files), _body_of(tnef))


def _body_of(tnef: TNEF) -> str:
    try:
        body = getattr(tnef, "body", None)
        if body:
            raw = body if isinstance(body, bytes) else str(body).encode("utf-8", "replace")
            return decode_bytes(raw).replace("\x00", "").strip()
        html = getattr(tnef, "htmlbody", None)
        if html:
            raw = html if isinstance(html, bytes) else str(html).encode("utf-8", "replace")
            return html_to_text(decode_bytes(raw.rstrip(b"\x00")))
        compressed = getattr(tnef, "_rtfbody", None)
        if isinstance(compressed, bytes) and compressed:
            return rtf_to_text(decompress_rtf(compressed))
    except Exception:  # a body we cannot read is an empty body
        return ""
    return ""


# [MS-OXRTFCP] §2.1.3.1.1: the dictionary is pre-loaded with this string.
_PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern "
    b"\\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0"
    b"\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)


def decompress_rtf(data: bytes) -> bytes:
    """Decompress an [MS-OXRTFCP] stream ("LZFu" compressed or "MELA" stored)."""
    if len(data) < 16:
        return b""
    _size, raw_size, magic, _crc = struct.unpack_from("<IIII", data)
    body = data[16:]
    if magic == 0x414C454D:  # "MELA": stored uncompressed
        return body[:raw_size]
    if magic != 0x75465A4C:  # "LZFu"
        return b""
    window = bytearray(4096)
    window[: len(_PREBUF)] = _PREBUF
    write = len(_PREBUF)
    out = bytearray()
    pos = 0
    while pos < len(body) and len(out) < raw_size + 4096:
        flags = body[pos]
        pos += 1
        for bit in range(8):
            if pos >= len(body):
                break
            if flags & (1 << bit):
                if pos + 1 >= len(body):
                    return bytes(out)
                ref = (body[pos] << 8) | body[pos + 1]
                pos += 2
                offset, length = ref >> 4, (ref & 0xF) + 2
                if offset == write:  # the end marker
                    return bytes(out)
                for _ in range(length):
                    byte = window[offset]
                    out.append(byte)
                    window[write] = byte
                    write = (write + 1) % 4096
                    offset = (offset + 1) % 4096
            else:
                byte = body[pos]
                pos += 1
                out.append(byte)
                window[write] = byte
                write = (write + 1) % 4096
    return bytes(out)


_RTF_TOKEN = re.compile(
    rb"\\([a-z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-f]{2})|\\(.)|([{}])|([^\\{}]+)", re.I | re.S
)
_SKIP_DESTINATIONS = {
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"header",
    b"footer",
    b"object",
    b"themedata",
    b"datastore",
    b"latentstyles",
    b"listtable",
    b"listoverridetable",
    b"rsidtbl",
    b"generator",
    b"xmlnstbl",
}


def rtf_to_text(rtf: bytes) -> str:
    """Plain text of an RTF document: good enough for a ticket, not a renderer."""
    out: list[str] = []
    stack: list[bool] = []
    skipping = False
    pending_star = False
    for word, arg, hexbyte, symbol, brace, text in _RTF_TOKEN.findall(rtf):
        if brace == b"{":
            stack.append(skipping)
            pending_star = False
        elif brace == b"}":
            skipping = stack.pop() if stack else False
        elif symbol:
            if symbol == b"*":
                pending_star = True
            elif symbol in (b"\\", b"{", b"}") and not skipping:
                out.append(symbol.decode("latin-1"))
            elif symbol in (b"\n", b"\r") and not skipping:
                out.append("\n")
        elif word:
            if pending_star or word in _SKIP_DESTINATIONS:
                skipping = True
                pending_star = False
            elif skipping:
                continue
            elif word in (b"par", b"line", b"row"):
                out.append("\n")
            elif word == b"tab" or word == b"cell":
                out.append("\t")
            elif word == b"u" and arg:
                out.append(chr(int(arg) % 0x10000))
        elif hexbyte and not skipping:
            out.append(bytes([int(hexbyte, 16)]).decode("cp1252", "replace"))
        elif text and not skipping:
            out.append(text.replace(b"\r", b"").replace(b"\n", b"").decode("cp1252", "replace"))
    return "\n".join(line.rstrip() for line in "".join(out).splitlines()).strip()
