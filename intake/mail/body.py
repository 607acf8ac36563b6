"""Walk a MIME tree (RFC 2045–2049): the text a person reads, and everything else as files.

Choices follow what mail clients show: in multipart/alternative the plain part unless it is an
empty placeholder (RFC 2046 §5.1.4 orders parts by fidelity, but HTML-only writers often send a
useless plain part); in multipart/related the root part (RFC 2387 §3.2); in multipart/mixed
every inline text part in order (Apple Mail splits the text around pasted images); forwarded
messages (message/rfc822) kept apart so the caller decides whether they are the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser

from intake.mail.charset import decode_bytes, decode_header_text
from intake.mail.html import html_to_text, tidy
from intake.mail.mime import (
    charset_of,
    children_of,
    content_id,
    content_type,
    disposition_of,
    filename_of,
    guess_type,
    message_bytes,
    param,
    payload_bytes,
    safe_name,
)
from intake.mail.parsed import Attachment
from intake.mail.policy import READING
from intake.mail.tnef import is_tnef, unpack_tnef

MAX_DEPTH = 20
MAX_PARTS = 500
_SIGNATURES = {
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)
_LOOKS_HTML = re.compile(r"\s*(?:<!doctype html|<html[\s>]|<head>|<body[\s>])", re.I)
_PLACEHOLDER = re.compile(
    r"^(this (is an? )?(html|multipart)|votre (client|logiciel)|your (e-?mail )?client)", re.I
)


@dataclass
class Walk:
    """What the walk found. `texts` are readable body pieces; `marked` the same with the
    place where HTML quoted history begins marked (see `html.QUOTE_MARK`)."""

    cap: int
    texts: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[Message] = field(default_factory=list)
    reports: list[Message] = field(default_factory=list)
    """message/delivery-status parts (RFC 3464), for bounce details."""
    returned: list[Message] = field(default_factory=list)
    """The message a report returns (RFC 6522 §3, third part), at least its headers."""
    tnef_texts: list[str] = field(default_factory=list)
    """Bodies found inside winmail.dat: the text when the MIME parts hold none."""
    parts: int = 0
    files_only: bool = False
    """Walking a branch for its files alone (an alternative not shown): its texts are not read,
    an HTML twin is not turned into text twice for nothing."""


def walk(msg: Message, cap: int) -> Walk:
    found = Walk(cap=cap)
    _visit(msg, found, depth=0, top=True)
    if not any(text.strip() for text in found.texts):
        # Exchange usually sends a plain twin beside winmail.dat; only without one does the
        # TNEF body become the text.
        found.texts.extend(found.tnef_texts)
        found.marked.extend(found.tnef_texts)
    _drop_twins(found)
    return found


def _drop_twins(found: Walk) -> None:
    """Mailers that put the plain and HTML versions side by side in multipart/mixed (instead
    of multipart/alternative) would show the text twice; keep the first of equal texts."""
    seen: set[str] = set()
    texts: list[str] = []
    marked: list[str] = []
    for text, mark in zip(found.texts, found.marked, strict=True):
        key = " ".join(text.split())
        if key and key in seen:
            continue
        seen.add(key)
        texts.append(text)
        marked.append(mark)
    found.texts, found.marked = texts, marked


def _visit(part: Message, found: Walk, *, depth: int, top: bool = False) -> None:
    found.parts += 1
    if depth > MAX_DEPTH or found.parts > MAX_PARTS:
        return
    ctype = content_type(part)
    if part.is_multipart() and ctype.startswith("message/") and ctype != "message/rfc822":
        _delivery_status(part, ctype, found)
        return
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        _message(part, found)
        return
    if part.is_multipart():
        _multipart(part, ctype, found, depth)
        return
    if ctype.startswith("multipart/"):
        recovered = _recover_multipart(part, ctype)
        if recovered is not None:
            _multipart(recovered, ctype, found, depth)
            return
        if not payload_bytes(part).strip():
            return
        ctype = "text/plain"  # RFC 2046 §5.1.1 would make it junk; show it rather than lose it
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        found.reports.append(part)
        return
    filename = filename_of(part)
    disposition = disposition_of(part)
    is_text = ctype in ("text/plain", "text/html") or (top and ctype.startswith("text/"))
    if is_text and (top or (disposition != "attachment" and not filename)):
        if not found.files_only:
            _text(part, ctype, found)
        return
    if ctype in _SIGNATURES:
        return  # a signature is not content (RFC 1847 §2.1); clients do not show it as a file
    data = payload_bytes(part)
    if is_tnef(ctype, filename):
        unpacked = unpack_tnef(data)
        if unpacked is not None:
            for inner in unpacked.files:
                found.attachments.append(
                    _attachment(inner.filename, guess_type(inner.filename), inner.data, found.cap)
                )
            if unpacked.text:
                found.tnef_texts.append(unpacked.text)
            return
    inline = disposition == "inline" or (disposition == "" and bool(content_id(part)))
    found.attachments.append(
        _attachment(filename, ctype, data, found.cap, inline=inline, cid=content_id(part))
    )


def _multipart(part: Message, ctype: str, found: Walk, depth: int) -> None:
    children = children_of(part)
    if not children:
        return
    if ctype == "multipart/alternative":
        best = _best_alternative(children)
        for child in children:
            if child is best:
                _visit(child, found, depth=depth + 1)
            else:
                # Keep the files of the other branches (inline images of the HTML twin).
                sink = Walk(cap=found.cap, parts=found.parts, files_only=True)
                _visit(child, sink, depth=depth + 1)
                found.parts = sink.parts
                found.attachments.extend(sink.attachments)
        return
    if ctype == "multipart/related":
        root = _related_root(part, children)
        _visit(root, found, depth=depth + 1, top=True)
        for child in children:
            if child is not root:
                _visit(child, found, depth=depth + 1)
        return
    if ctype == "multipart/report":
        # RFC 6522 §3: the first part is for humans; the rest describe or return the message.
        for index, child in enumerate(children):
            returned = content_type(child)
            if index > 0 and returned in ("message/rfc822", "text/rfc822-headers"):
                default = "original.eml" if returned == "message/rfc822" else "original-headers.txt"
                found.attachments.append(
                    _attachment(
                        filename_of(child) or default, returned, message_bytes(child), found.cap
                    )
                )
                found.returned.extend(_returned_headers(child, returned))
                continue
            _visit(child, found, depth=depth + 1)
        return
    if ctype == "multipart/signed":
        children = children[:1]  # RFC 1847 §2.1: the second part is the signature
    for child in children:
        _visit(child, found, depth=depth + 1)


_DELIMITER = re.compile(r"^--([ -~]{1,70}?)\s*$", re.M)


def _recover_multipart(part: Message, ctype: str) -> Message | None:
    """A multipart whose declared boundary never appears (spam kits, broken gateways): use the
    delimiter that does appear (RFC 2046 §5.1.1 syntax) and parse again."""
    try:
        payload = part.get_payload()
    except Exception:
        return None
    if not isinstance(payload, str):
        return None
    match = _DELIMITER.search(payload[:20_000])
    if match is None:
        return None
    boundary = match.group(1).replace('"', "")
    head = f'Content-Type: {ctype}; boundary="{boundary}"\r\n\r\n'
    try:
        data = head.encode("ascii", "replace") + payload.encode("utf-8", "surrogateescape")
        again = BytesParser(policy=READING).parsebytes(data)
    except Exception:
        return None
    return again if again.is_multipart() and children_of(again) else None


def _returned_headers(part: Message, ctype: str) -> list[Message]:
    if ctype == "message/rfc822":
        return children_of(part)[:1]
    try:  # text/rfc822-headers: just the header block, as text
        return [BytesParser(policy=READING).parsebytes(payload_bytes(part), headersonly=True)]
    except Exception:
        return []


def _best_alternative(children: list[Message]) -> Message:
    def score(child: Message) -> int:
        ctype = content_type(child)
        if ctype == "text/plain":
            text = decode_bytes(payload_bytes(child), charset_of(child)).strip()
            return 0 if not text or _PLACEHOLDER.match(text) else 3
        if ctype == "text/html" or ctype.startswith("multipart/"):
            return 2
        if ctype.startswith("text/") and ctype != "text/calendar":
            return 1
        return -1

    scored = [(score(child), index, child) for index, child in enumerate(children)]
    best = max(scored, key=lambda item: (item[0], -item[1]))
    return best[2]


def _related_root(part: Message, children: list[Message]) -> Message:
    start = str(param(part, "start") or "").strip().strip("<>")
    if start:
        for child in children:
            if content_id(child) == start:
                return child
    return children[0]


def _text(part: Message, ctype: str, found: Walk) -> None:
    data = payload_bytes(part)
    charset = charset_of(part)
    if ctype == "text/html":
        if charset is None:
            meta = _META_CHARSET.search(data[:4096])
            charset = meta.group(1).decode("ascii", "replace") if meta else None
        markup = decode_bytes(data, charset)
        found.html.append(markup)
        found.texts.append(html_to_text(markup))
        found.marked.append(html_to_text(markup, mark_quotes=True))
        return
    text = decode_bytes(data, charset)
    if _LOOKS_HTML.match(text):  # HTML sent as text/plain by a misconfigured mailer
        found.html.append(text)
        found.texts.append(html_to_text(text))
        found.marked.append(html_to_text(text, mark_quotes=True))
        return
    text = tidy(text)
    if param(part, "format") == "flowed":
        text = _unflow(text, param(part, "delsp") == "yes")
    found.texts.append(text)
    found.marked.append(text)


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 §4.2: a line ending in a space continues on the next one of the same quote
    depth (§4.5); space-stuffing is undone (§4.4)."""
    out: list[str] = []
    buffer = ""
    depth = -1
    for line in text.split("\n"):
        quotes = len(line) - len(line.lstrip(">"))
        body = line[quotes:]
        if body.startswith(" "):
            body = body[1:]
        if buffer and quotes != depth:
            out.append(buffer)
            buffer = ""
        prefix = "> " * quotes if quotes and not buffer else ""
        if body.endswith(" ") and body.strip() != "--":
            buffer += prefix + (body[:-1] if delsp else body)
            depth = quotes
            continue
        out.append(buffer + prefix + body)
        buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)


def _message(part: Message, found: Walk) -> None:
    inner = children_of(part)
    data = message_bytes(part)
    name = filename_of(part)
    if not name and inner:
        subject = decode_header_text(str(inner[0].get("subject", "") or ""))
        name = (safe_name(subject) or "message") + ".eml"
    found.attachments.append(_attachment(name or "message.eml", "message/rfc822", data, found.cap))
    if inner:
        found.forwarded.append(inner[0])


def _delivery_status(part: Message, ctype: str, found: Walk) -> None:
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        found.reports.append(part)


def _attachment(
    filename: str, ctype: str, data: bytes, cap: int, *, inline: bool = False, cid: str = ""
) -> Attachment:
    return Attachment(
        filename=safe_name(filename),
        content_type=ctype,
        size=len(data),
        content=data if len(data) <= cap else None,
        inline=inline,
        content_id=cid,
    )
