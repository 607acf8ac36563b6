"""Bytes → text when the declared charset is wrong, missing or unknown to Python.

Real mail lies about its charset: Outlook labels Windows-1252 text `iso-8859-1` (RFC 2046 §4.1.2
says the label is authoritative, but HTML5's encoding table maps that label to windows-1252 for
exactly this reason), old Korean and Chinese clients use `ks_c_5601-1987` and `gb2312` for
supersets, and many messages carry UTF-8 bytes under a Latin label or no label at all. Decoding
never fails: the last resort is windows-1252 with replacement characters.
"""

from __future__ import annotations

import codecs
import email.header
import re

try:  # Installed with `requests`; used only as a better guess than Latin-1 when labels fail.
    import charset_normalizer as _guesser
except ImportError:  # pragma: no cover - the fallback chain still decodes everything
    _guesser = None  # type: ignore[assignment]

# Labels that name a charset Python lacks or a subset of what senders really use (WHATWG
# Encoding Standard, "labels"; RFC 1557 and RFC 1922 for the Asian ones).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
# Labels that mean "I don't know" (RFC 1428 `unknown-8bit`, and what broken clients write).
_UNKNOWN = {"", "unknown", "unknown-8bit", "x-unknown", "default", "charset", "none", "8bit"}
_SINGLE_BYTE = {"cp1252", "iso-8859-15", "cp1250", "iso-8859-2", "mac_roman"}


def normalise_label(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when the label is useless."""
    name = (label or "").strip().strip("\"'").lower()
    if name in _UNKNOWN:
        return None
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # utf-7 can smuggle markup past filters, and the rot/zip/base64 codecs are not charsets.
    if info.name in ("utf-7", "rot-13") or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data`, trusting `declared` only as far as the bytes agree with it."""
    if not data:
        return ""
    codec = normalise_label(declared)
    wide = codec is not None and codec.startswith(("utf-16", "utf-32"))
    if data.isascii() and not wide:
        return data.decode("ascii")
    # Valid UTF-8 with multi-byte sequences is almost never accidental, so it beats a
    # single-byte label (the commonest mislabelling in practice).
    if codec is None or codec in _SINGLE_BYTE or codec.startswith("iso8859"):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            lenient = data.decode(codec, errors="replace")
            # A stray bad byte in otherwise well-labelled text: keep the label.
            if lenient.count("\ufffd") * 100 < len(lenient):
                return lenient
    # French and English mail in the Windows code page, mislabelled or unlabelled.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if western and _looks_western(western):
        return western
    if _guesser is not None and len(data) >= 8:
        best = _guesser.from_bytes(data[:200_000]).best()
        # The guesser confuses the Latin single-byte family on short text; for a Quebec
        # service desk that family is windows-1252, so only trust it for other scripts.
        if best is not None and not _latin_family(best.encoding):
            try:
                return data.decode(best.encoding)
            except (UnicodeDecodeError, LookupError):
                pass
    return data.decode(codec or "cp1252", errors="replace")


_WESTERN = set("àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæøß’‘“”«»–—…€°·•©®™ \u00a0")


def _looks_western(text: str) -> bool:
    """Do the non-ASCII characters look like French/English punctuation and accents?"""
    high = [ch for ch in text if ord(ch) > 127]
    good = sum(1 for ch in high if ch.lower() in _WESTERN)
    return good >= 0.8 * len(high)


def _latin_family(codec: str) -> bool:
    name = codec.lower().replace("_", "-")
    return name.startswith(("cp125", "cp85", "cp43", "iso8859", "iso-8859", "latin", "mac"))


def _raw_bytes(text: str) -> bytes:
    # The parser keeps 8-bit header bytes as surrogate escapes (email.policy `utf8=False`).
    return text.encode("ascii", "surrogateescape")


_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")


def decode_header_text(value: str) -> str:
    """An unfolded, decoded header value: RFC 2047 words and raw 8-bit bytes both handled."""
    text = " ".join(value.replace("\r", " ").replace("\n", " ").split())
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(_raw_bytes(text), None)
    if "=?" not in text:
        return text
    # RFC 2047 §6.2: whitespace between adjacent encoded words is not displayed. Some clients
    # also put encoded words inside quoted strings, which decode_header then skips; unquote.
    text = _BETWEEN_WORDS.sub(r"\1\2", text)
    if '"=?' in text:
        text = re.sub(r'"(=\?[^"]*\?=)"', r"\1", text)
    try:
        parts = email.header.decode_header(text)
    except Exception:  # malformed encoded words: show them as written
        return text
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(decode_bytes(chunk, charset))
    decoded = "".join(out)
    # Words split mid-character (a multibyte char across two encoded words) leave
    # replacement chars; retry joining same-charset words before decoding.
    if "\ufffd" in decoded:
        decoded = _join_then_decode(parts) or decoded
    return " ".join(decoded.split())


def _join_then_decode(parts: list[tuple[bytes | str, str | None]]) -> str | None:
    out: list[str] = []
    pending = b""
    pending_cs: str | None = None
    for chunk, charset in parts:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
            charset = "utf-8"
        if pending and charset != pending_cs:
            out.append(decode_bytes(pending, pending_cs))
            pending = b""
        pending += chunk
        pending_cs = charset
    if pending:
        out.append(decode_bytes(pending, pending_cs))
    return "".join(out)
