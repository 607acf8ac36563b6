"""Bytes → text when the declared charset is wrong, missing or unknown to Python.

Real mail lies about its charset: Outlook labels Windows-1252 text `iso-8859-1` (RFC 2046 §4.1.2
says the label is authoritative, but HTML5's encoding table maps that label to windows-1252 for
exactly this reason), old Korean and Chinese clients use `ks_c_5601-1987` and `gb2312` for
supersets, and many messages carry UTF-8 bytes under a Latin label or no label at all. Decoding
never fails: the last resort is windows-1252 with replacement characters.
"""

from __future__ import annotations

import binascii
import codecs
import email.quoprimime
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
_NOT_CHARSETS = {
    "utf-7",
    "rot-13",
    "unicode-escape",
    "raw-unicode-escape",
    "punycode",
    "idna",
    "undefined",
}
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
    # utf-7 can smuggle markup past filters, the escape codecs turn "\\n" or "\\ud800" into
    # characters, and the rot/zip/base64 codecs are not charsets.
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
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


_ESCAPED = re.compile("[\udc80-\udcff]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls and DEL: never part of a header value (RFC 5322 §3.2.5 unstructured text is
# VCHAR and WSP; RFC 6532 §3.2 adds UTF-8 but no controls). A decoded CR/LF is an injection.
_HEADER_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def unicode_text(value: str) -> str:
    """`value` made encodable as UTF-8, whatever produced it.

    Runs of surrogate escapes (PEP 383: bytes a decoder kept as `\\udcXX`) are decoded as the
    bytes they stand for; any other lone surrogate becomes U+FFFD.
    """
    if _SURROGATE.search(value) is None:
        return value
    value = _ESCAPED.sub(lambda run: decode_bytes(_raw_bytes(run.group(0))), value)
    return _SURROGATE.sub("\ufffd", value)


# RFC 2047 §2 encoded-word, with RFC 2231 §5's optional "*language". The payload cannot hold
# "?" or spaces, so the match is linear; the length caps only bound the work on hostile input.
_ENCODED_WORD = re.compile(r"=\?([!-)+->@-~]{1,64})(?:\*[!->@-~]{0,32})?\?([bBqQ])\?([!->@-~]*)\?=")
_QUOTED_WORD = re.compile(r'"(=\?[^"]{0,2000}?\?=)"')


def decode_header_text(value: str) -> str:
    """An unfolded header value as Unicode: RFC 2047 words and raw 8-bit bytes both decoded.

    Always Unicode (no surrogates, no control characters, one line), whatever the charset label
    says: an unknown label falls back like a body (`decode_bytes`), and raw 8-bit bytes are read
    as UTF-8 first (RFC 6532), then windows-1252. Never use it on an address: RFC 2047 §5 keeps
    encoded-words out of an addr-spec (see `headers.addr_spec`).
    """
    text = " ".join(value.replace("\r", " ").replace("\n", " ").split())
    if _SURROGATE.search(text) is not None:
        try:  # ASCII and the parser's escapes of 8-bit bytes: decode the bytes as a whole
            text = decode_bytes(_raw_bytes(text), None)
        except UnicodeEncodeError:  # real Unicode mixed with escapes: decode the escapes alone
            text = unicode_text(text)
    if "=?" in text:
        # Some clients put encoded words inside quoted strings; RFC 2047 §5 says they are then
        # text, but every reader decodes them, and so do we.
        text = _QUOTED_WORD.sub(r"\1", text)
        text = _decode_words(text)
    return " ".join(_HEADER_CONTROL.sub(" ", text).split())


def _decode_words(text: str) -> str:
    """Decode the encoded-words of `text`, leaving everything else as it is.

    Written out rather than `email.header.decode_header`, which turns non-Latin-1 text between
    encoded-words into `\\uXXXX` escapes (it re-encodes it as raw-unicode-escape).
    """
    parts: list[tuple[bytes, str] | str] = []
    last = 0
    for word in _ENCODED_WORD.finditer(text):
        between = text[last : word.start()]
        # RFC 2047 §6.2: white space between two adjacent encoded-words is not displayed.
        if between and not (between.isspace() and parts and not isinstance(parts[-1], str)):
            parts.append(between)
        decoded = _payload(word.group(2), word.group(3))
        if decoded is None:  # malformed: show it as written
            parts.append(word.group(0))
        else:
            charset = word.group(1).lower()
            # Adjacent words in one charset are joined before decoding: clients cut words
            # inside a multi-byte character.
            previous = parts[-1] if parts else None
            if isinstance(previous, tuple) and previous[1] == charset:
                parts[-1] = (previous[0] + decoded, charset)
            else:
                parts.append((decoded, charset))
        last = word.end()
    parts.append(text[last:])
    return "".join(
        part if isinstance(part, str) else decode_bytes(part[0], part[1]) for part in parts
    )


def _payload(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "qQ":
            # RFC 2047 §4.2: "_" is a space, "=XX" a byte; a stray "=" stays as written.
            return email.quoprimime.header_decode(payload).encode("latin-1")
        return binascii.a2b_base64((payload + "===")[: len(payload) + (-len(payload) % 4)])
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
