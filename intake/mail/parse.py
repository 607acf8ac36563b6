"""Bytes of an RFC 5322 message → `ParsedEmail`. Pure; never raises on bad mail but `SenderError`.

The standard library parses (modern policy, which records defects instead of raising); every
value we read is then decoded defensively (`headers`, `charset`), the MIME tree is walked for
the readable text and the files (`body`), and the result is classified (`automated`, `bounce`)
and trimmed to what the person wrote now (`quotes`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from email.message import EmailMessage, Message
from email.parser import BytesParser

from intake.errors import SenderError
from intake.mail.automated import classify
from intake.mail.body import Walk, walk
from intake.mail.bounce import bounce_of
from intake.mail.headers import Headers, addresses, date_of, first_address, message_ids
from intake.mail.headers import one_message_id as _one_id
from intake.mail.html import QUOTE_MARK, tidy
from intake.mail.parsed import Automated, ParsedEmail, Unreadable
from intake.mail.policy import READING
from intake.mail.quotes import is_forward_text, strip_quoted

DEFAULT_ATTACHMENT_CAP = 10 * 1024 * 1024
MAX_MESSAGE_SIZE = 100 * 1024 * 1024
"""Above this a message is quarantined unread (a mailbox never legitimately sends it)."""

_parser = BytesParser(policy=READING)
_BLANK_LINE = re.compile(rb"\n\r?\n")
"""The end of a line, then an empty line (LF or CRLF endings, or both mixed)."""
# RFC 5322 §3.6.5 leaves subject prefixes unspecified; these are the ones clients write,
# French (TR, Réf), English, German (AW, WG), Nordic (SV, VS), Spanish/Italian (RV, I, R).
_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(re|tr|fw|fwd|réf\.?|ref|aw|wg|sv|vs|rv|enc|i|r|antw)"
    r"\s*(?:\[\d+\])?\s*:\s*",
    re.I,
)
_FORWARD_PREFIXES = {"tr", "fw", "fwd", "wg", "rv", "enc", "i"}
_HEADER_LINE = re.compile(rb"^(?:From |[!-9;-~]{1,200}[ \t]*:)")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_email(
    raw: bytes, *, our_domain: str = "", attachment_cap: int = DEFAULT_ATTACHMENT_CAP
) -> ParsedEmail:
    """Parse one message. Raises `SenderError` (and nothing else) when the bytes cannot be mail."""
    data = _check(raw)
    try:
        msg = _parser.parsebytes(data)
    except Exception as exc:  # the stdlib parser should not raise; if it does,
        raise SenderError(Unreadable.UNPARSEABLE, f"{type(exc).__name__}: {exc}"[:300]) from exc
    if not isinstance(msg, EmailMessage) or not _has_headers(msg):
        raise SenderError(Unreadable.NOT_AN_EMAIL, "no RFC 5322 header could be read")
    try:
        return _build(msg, our_domain=our_domain, cap=attachment_cap)
    except RecursionError as exc:
        raise SenderError(Unreadable.TOO_DEEP, "the MIME structure is nested too deeply") from exc
    except SenderError:
        raise
    except Exception as exc:  # a bug here must not stop the reader: quarantine
        raise SenderError(Unreadable.UNPARSEABLE, f"{type(exc).__name__}: {exc}"[:300]) from exc


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID of raw bytes, reading headers only (for dedupe before parsing)."""
    headers = read_headers(raw)
    return None if headers is None else _one_id(headers.get("message-id"))


def read_headers(raw: bytes, only: Collection[str] | None = None) -> Headers | None:
    """Just the decoded headers (those named in `only`, lower case, when given), for what can
    be said before parsing, or about unparseable mail.

    Only the header block is handed to the parser: given the whole message, it splits every
    line of the body too, and a message with a large attachment held the event loop for it."""
    try:
        data = header_block(raw if isinstance(raw, bytes) else bytes(raw))
        if only is not None:
            data = _lines_named(data, only)
        return Headers(_parser.parsebytes(data, headersonly=True), only)
    except Exception:  # malformed beyond reading: no headers
        return None


_HEADER_LINE = re.compile(rb"(From |[\041-\071\073-\176]*:|[\t ])")
"""`email.feedparser.headerRE` in bytes: a line the parser reads as part of the headers."""


def _lines_named(block: bytes, names: Collection[str]) -> bytes:
    """The lines of the header block that hold the headers `names` (lower case), with their
    continuations, up to where the parser's headers end: what the parser reads of them, for a
    fraction of the cost when a message has many other headers."""
    wanted = {n.encode("ascii", "replace") for n in names}
    kept: list[bytes] = []
    keeping = False
    for line in block.splitlines(keepends=True):
        if not _HEADER_LINE.match(line):
            break
        if line[:1] in b" \t":
            if keeping:
                kept.append(line)
            continue
        name, colon, _ = line.partition(b":")
        keeping = bool(colon) and name.strip().lower() in wanted
        if keeping:
            kept.append(line)
    return b"".join(kept)


def header_block(raw: bytes) -> bytes:
    """`raw` up to and with the first empty line (where the parser's headers end), or all of
    it when it has none."""
    blank = _BLANK_LINE.search(raw)  # stops at the first: the body is not scanned
    return raw[: blank.end()] if blank else raw


def is_forward_subject(subject: str) -> bool:
    """Is the outermost subject prefix a forward one (TR:, FW:, Fwd:, WG:, …)?"""
    match = _PREFIX.match(subject)
    return match is not None and match.group(1).lower() in _FORWARD_PREFIXES


def _check(raw: bytes) -> bytes:
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise SenderError(Unreadable.NOT_AN_EMAIL, f"expected bytes, got {type(raw).__name__}")
    data = bytes(raw)
    if len(data) > MAX_MESSAGE_SIZE:
        raise SenderError(Unreadable.TOO_LARGE, f"{len(data)} bytes (limit {MAX_MESSAGE_SIZE})")
    # A UTF-8 byte order mark or blank lines before the headers (files saved by editors).
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")
    if not data:
        raise SenderError(Unreadable.EMPTY, "the message holds no bytes")
    if data.startswith(_OLE_MAGIC):
        raise SenderError(Unreadable.OUTLOOK_MSG, "an Outlook .msg file (OLE), not RFC 5322")
    if not _HEADER_LINE.match(data[:1024]):
        raise SenderError(Unreadable.NOT_AN_EMAIL, "the first line is not a header field")
    return data


def _has_headers(msg: Message) -> bool:
    try:
        return bool(msg.keys())
    except Exception:
        return False


def _build(msg: EmailMessage, *, our_domain: str, cap: int) -> ParsedEmail:
    headers = Headers(msg)
    found = walk(msg, cap)
    subject = headers.get("subject")
    own_text = tidy("\n\n".join(t for t in found.texts if t.strip()))
    marked = tidy("\n\n".join(t for t in found.marked if t.strip()))
    forwarded_texts = [_render_forwarded(inner, cap) for inner in found.forwarded]
    verdict = classify(msg, headers, own_text, our_domain=our_domain)
    is_report = verdict.kind is Automated.BOUNCE or _is_report(msg)
    forward = is_forward_subject(subject) or is_forward_text(own_text)
    if forwarded_texts and not is_report:
        # Outlook's "forward as attachment", or a message with only an attached message.
        full_text = "\n\n".join([own_text, *forwarded_texts]).strip()
        note = strip_quoted(marked, forward=False) if own_text else ""
        body = "\n\n".join([note, *(strip_quoted(t, forward=True) for t in forwarded_texts)])
        forward = True
    else:
        full_text = own_text
        body = strip_quoted(marked, forward=forward)
    bounce = None
    if verdict.kind is Automated.BOUNCE:
        try:
            bounce = bounce_of(found.reports, headers, "\n\n".join([own_text, *forwarded_texts]))
        except Exception:  # unreadable details leave a bounce without recipients, not a crash
            bounce = None
    sender_name, sender = first_address(headers.raw("from"))
    if not sender:
        sender_name, sender = first_address(headers.raw("sender"))
    return ParsedEmail(
        message_id=_one_id(headers.get("message-id")),
        sender=sender,
        sender_name=sender_name,
        to=tuple(addr for _, addr in addresses(headers.raw("to"))),
        cc=tuple(addr for _, addr in addresses(headers.raw("cc"))),
        subject=subject,
        date=date_of(headers.get("date")),
        in_reply_to=message_ids(headers.get("in-reply-to")),
        references=message_ids(headers.get("references")),
        body=tidy(body.replace(QUOTE_MARK, "")),
        full_text=tidy(full_text.replace(QUOTE_MARK, "")),
        attachments=tuple(found.attachments),
        automated=verdict.kind,
        reply_to=first_address(headers.raw("reply-to"))[1],
        bounce=bounce,
        automated_evidence=verdict.evidence,
        forwarded=forward,
        html="\n".join(found.html),
        returned_ids=_returned_ids(found.returned),
    )


def _returned_ids(returned: list[Message]) -> tuple[str, ...]:
    ids: list[str] = []
    for message in returned:
        headers = Headers(message)
        for name in ("message-id", "in-reply-to", "references"):
            ids.extend(message_ids(headers.get(name)))
    return tuple(dict.fromkeys(ids))


def _render_forwarded(inner: Message, cap: int) -> str:
    """A forwarded message as a reader sees it: its main headers, then its text."""
    headers = Headers(inner)
    nested: Walk = walk(inner, cap)
    lines = []
    for label, name in (("De", "from"), ("Date", "date"), ("À", "to"), ("Objet", "subject")):
        value = headers.get(name)
        if value:
            lines.append(f"{label} : {value}")
    text = tidy("\n\n".join(t for t in nested.texts if t.strip()))
    return "\n".join(lines) + ("\n\n" + text if text else "")


def _is_report(msg: Message) -> bool:
    try:
        return msg.get_content_type() == "multipart/report"
    except Exception:
        return False
