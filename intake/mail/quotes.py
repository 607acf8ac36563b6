"""Keep what the person wrote now: cut quoted history and signatures (the original stays stored).

The markers are the ones clients really write, in French and English: Gmail and Apple Mail's
"Le … a écrit :" / "On … wrote:" (often wrapped over two lines), Outlook's
"-----Message d'origine-----" and its "De : / Envoyé : / À : / Objet :" header block, "> " quoting
(RFC 3676 §4.5), the "-- " signature separator (RFC 3676 §4.3), mobile footers and sign-offs.
Two guards: a lone "De : …" line is not a header block (it takes two more header lines), and a
cut that would leave nothing falls back to the unquoted lines, then to the whole text.
A forward keeps the forwarded message: that is the problem being reported.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from typing import Literal

from intake.mail.html import QUOTE_MARK, tidy

_STAR = r"\*?"
# Attribution lines ("On … wrote:"). French and English first; the other verbs cost nothing
# and real threads cross languages (forwards from abroad, vendors' support desks).
_VERBS = (
    "a écrit", "a ecrit", "wrote", "schrieb", "escribió", "escreveu", "ha scritto", "skrev",
    "schreef", "napisał", "kirjoitti", "đã viết", "написал", "het volgende geschreven",
)  # fmt: skip
_VERB = "(?:" + "|".join(map(re.escape, _VERBS)) + ")"
_START = r"(?:le|on|am|el|il|em|op|den|på|w dniu|vào)\b"
_WROTE = re.compile(
    # "Le 12 mars 2024 à 09:14, X <x@y> a écrit :", "On Tue, … X wrote:", "------On … wrote-----"
    rf"^(?:>\s*)?-*\s*(?:{_START}.{{0,300}}?(?:{_VERB}|sent)|\d.{{0,300}}?{_VERB})\s*:?\s*-*\s*$"
    # The verb before the name, colon at the end: "Op 13-02-2014 3:18 schreef X <x@y>:"
    rf"|^(?:>\s*)?(?:{_START}|\d).{{0,300}}?\b{_VERB}\b.{{0,200}}:\s*$"
    # Thunderbird's "X wrote:", Lotus Notes' '-----"X" <x@y> a écrit : -----' and
    # 'X wrote on 03/12/2024 09:14:00 AM:'.
    rf"|^.{{0,200}}{_VERB}(?: on .{{0,60}}?)?\s*:\s*-*\s*$"
    # Android: "---- John Smith wrote ----"
    rf"|^-{{2,}}\s*.{{1,100}}\s{_VERB}\s*-{{2,}}\s*$"
    # Gmail in some locales: "2014-10-17 11:28 GMT+03:00 X <x@y>:" (no verb at all)
    r"|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b.{0,120}<\s*[^<>\s]+@[^<>\s]+>\s*:?\s*$",
    re.I,
)
# What every attribution above holds (a verb, "sent", or the Gmail form's "@"), case-folded: a
# substring test spares most lines the attribution's backtracking (a search for the same words
# by a regex cost almost as much). A line spelt with an exotic case-fold ("ſent") only keeps
# its quoted history.
_WROTE_WORDS = (*(verb.casefold() for verb in _VERBS), "sent", "@")
_ATTRIBUTION_START = re.compile(rf"^(?:>\s*)?-*\s*(?:{_START}|\d)", re.I)
# "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:" on one line (some webmails).
_INLINE_WROTE = re.compile(
    r"^(?P<keep>.*?\S)\s*-*\s*(?P<attr>\b(?:On|Le)\s[^:]{0,40}\d.{0,250}?"
    r"(?:wrote|a écrit)\s*:)\s*$"
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:original message|message d'origine|message original|courriel original"
    r"|mail original|courriel d'origine"
    r"|mensaje original|ursprüngliche nachricht|messaggio originale)\s*-{2,}\s*$",
    re.I,
)
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|message transféré|message réexpédié|courriel transféré"
    r"|message transmis|mensaje reenviado|weitergeleitete nachricht|forwarded by .*?)\s*-{2,}"
    r"|(?:begin forwarded message|début du message (?:réexpédié|transféré)"
    r"|message transféré)\s*:?)\s*$",
    re.I,
)
# Outlook translates its header block; French and English first, then the languages that
# reach a Quebec service desk through forwards (Spanish, Italian, German, Portuguese).
_FROM = re.compile(
    rf"^\s*{_STAR}(?:de|from|von|da|expéditeur|fra|från|van|od){_STAR}\s*:{_STAR}\s*\S", re.I
)
_HEADER = re.compile(
    rf"^\s*{_STAR}(?:envoyé|envoye|sent|date|à|a|to|objet|subject|cc|cci|bcc|répondre à"
    rf"|reply-to|importance|de|from|gesendet|an|betreff|von|enviado|para|asunto|fecha"
    rf"|inviato|oggetto|da|data|assunto|fra|sendt|til|emne|från|skickat|till|ämne|van"
    rf"|verzonden|aan|onderwerp|od|wysłano|do|temat){_STAR}\s*:",
    re.I,
)
_DATE_LINE = re.compile(r"^\s*\*?date\*?\s*:\*?\s*(.{10,80}?)\s*$", re.I)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_SIG_DASHES = re.compile(r"^(?:-- ?|—|–)\s*$")
_SIG_LINE = re.compile(r"^\s*(?:_{2,}|-{3,}|={3,}|\*{3,})\s*$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my|sent from (?:mail|outlook|yahoo|samsung)|envoyé de mon|envoyé depuis"
    r"|envoyé à partir de|envoye de mon|get outlook for|obtenir outlook pour|téléchargez outlook"
    r"|download outlook|sent with|envoyé avec|de mon iphone|from my iphone)",
    re.I,
)
_SIGNOFF = re.compile(
    r"^\s*(?:merci(?: beaucoup| bien| d'avance| à l'avance| encore| et bonne journée)?"
    r"|(?:bien |très )?cordialement|salutations(?: distinguées| cordiales)?|meilleures salutations"
    r"|bonne (?:journée|fin de journée|soirée|semaine)|au plaisir|bien à vous|amicalement"
    r"|à bientôt|(?:best|kind|warm|warmest)? ?regards|best|cheers|many thanks"
    r"|thanks(?: again| in advance| a lot)?|thank you(?: very much| in advance)?|sincerely"
    r"|respectfully|yours truly)\s*[,.!]*\s*$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class _Marker:
    index: int
    end: int
    """Index of the last line of the marker's header block."""
    kind: Literal["reply", "forward", "mark"]
    """"mark" is an HTML quote container (see `html.QUOTE_MARK`)."""


def strip_quoted(text: str, *, forward: bool = False) -> str:
    """What the person wrote now. With `forward`, the forwarded message is kept too."""
    lines = _split_inline(tidy(text).split("\n"))
    markers = _markers(lines)
    if forward:
        markers = [m for m in markers if m.kind != "mark"]
    if not markers:
        return _clean(lines) or _plain(lines)
    first = markers[0]
    if forward or first.kind == "forward":
        note = _clean(lines[: first.index])
        # The forwarded message stops where its own quoted history starts.
        end = next(
            (m.index for m in markers if m.index > first.end and m.kind == "reply"), len(lines)
        )
        forwarded = _unquote(lines[first.index : end])
        return "\n\n".join(part for part in (note, forwarded) if part) or _plain(lines)
    kept = _clean(lines[: first.index])
    if kept:
        below = _after_quote(lines, first)
        return "\n\n".join([kept, below]) if below else kept
    # Nothing above the quote: bottom-posting or interleaved replies, keep unquoted lines.
    after = [line for line in lines[first.end + 1 :] if not _is_quoted(line)]
    after = [line for line in after if QUOTE_MARK not in line]
    return _clean(_cut_at_next(after)) or _plain(lines)


def _after_quote(lines: list[str], marker: _Marker) -> str:
    """What the person wrote below a quote that wraps: an attribution, then "> " lines, then
    their own text again (a sign-off, an answer below the history).

    The quote ends at its last "> " line: an unquoted line between two quoted ones is a long
    line the client wrapped (a link), not the person's text.
    """
    if marker.kind != "reply":
        return ""
    rest = lines[marker.end + 1 :]
    first = next((i for i, line in enumerate(rest) if line.strip()), None)
    if first is None or not _is_quoted(rest[first]):
        return ""  # history not in "> " quoting: everything below it is history
    # A further history below (its own attribution or header block) is not searched.
    stop = next(
        (m.index for m in _markers(rest) if m.index > first and not _is_quoted(rest[m.index])),
        len(rest),
    )
    last = max(i for i, line in enumerate(rest[:stop]) if _is_quoted(line))
    return _clean(rest[last + 1 : stop])


def is_forward_text(text: str) -> bool:
    """Does the text start its history with a forward separator rather than a reply header?"""
    markers = _markers(tidy(text).split("\n"))
    return bool(markers) and markers[0].kind == "forward"


def _markers(lines: list[str]) -> list[_Marker]:
    out: list[_Marker] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if QUOTE_MARK in stripped:
            out.append(_Marker(index, index, "mark"))
        elif _FORWARD.match(stripped):
            out.append(_Marker(index, _header_end(lines, index), "forward"))
        elif _is_reply_header(lines, index, stripped):
            out.append(_Marker(index, _header_end(lines, index), "reply"))
        elif (end := _wrote(lines, index)) is not None:
            out.append(_Marker(index, end, "reply"))
    # A marker inside the header block of the previous one is the same marker.
    merged: list[_Marker] = []
    for marker in out:
        if merged and marker.index <= merged[-1].end and marker.kind != "mark":
            continue
        merged.append(marker)
    return merged


def _is_reply_header(lines: list[str], index: int, stripped: str) -> bool:
    if _ORIGINAL.match(stripped):
        return True
    if _RULE.match(stripped):  # Outlook's underscore rule above its header block
        return _header_block(lines, index + 1)
    return bool(_HEADER.match(stripped)) and _header_block(lines, index)


def _header_block(lines: list[str], start: int) -> bool:
    """Outlook's "De : / Envoyé : / À : / Objet :": three header lines, one of them the sender
    (Hotmail and some webmails start with "Date:"); a long value may wrap onto the next line.
    A lone "De : …" at the top of a message is text, not a header block."""
    window = [line for line in lines[start : start + 10] if line.strip()]
    if not window or not _HEADER.match(window[0]):
        return False
    block = [window[0]]
    gap = 0
    for line in window[1:8]:
        if _HEADER.match(line):
            block.append(line)
            gap = 0
        else:
            gap += 1
            if gap > 1:
                break
    if len(block) >= 3 and any(_FROM.match(line) for line in block):
        return True
    # Some webmails write only "Date: <RFC 5322 date>" and "To: <address>": two lines, but the
    # full date-time and an address make them a header block, not text.
    dated = _DATE_LINE.match(block[0])
    return (
        len(block) >= 2
        and dated is not None
        and email.utils.parsedate_tz(dated.group(1)) is not None
        and any("@" in line for line in block[1:])
    )


def _header_end(lines: list[str], start: int) -> int:
    end = start
    index = start + 1
    while index < len(lines) and index <= start + 12:
        line = lines[index]
        if _HEADER.match(line) or _FROM.match(line):
            end = index
        elif line.strip() and not (line.startswith((" ", "\t")) and end == index - 1):
            break
        index += 1
    return end


def _wrote(lines: list[str], index: int) -> int | None:
    """Index of the last line of an attribution ("On … wrote:"), wrapped over up to 3 lines
    (Gmail wraps long names and addresses)."""
    first = lines[index].strip()
    if _is_wrote(first):
        return index
    # A wrapped attribution starts like one ("Le"/"On"/… with a date) and is no sentence.
    if (
        not _ATTRIBUTION_START.match(first)
        or not any(ch.isdigit() for ch in first)
        or first.endswith((".", "?", "!"))
        or len(first) > 300
    ):
        return None
    joined = first
    # Up to three more lines; some clients (Polymail) also put blank lines inside it.
    joined_lines = 0
    for offset in range(1, 7):
        if index + offset >= len(lines) or joined_lines == 3:
            break
        line = lines[index + offset].strip()
        if not line:
            continue
        joined = f"{joined} {line}"
        joined_lines += 1
        if _is_wrote(joined):
            return index + offset
    return None


def _is_wrote(text: str) -> bool:
    folded = text.casefold()
    return any(w in folded for w in _WROTE_WORDS) and _WROTE.match(text) is not None


def _split_inline(lines: list[str]) -> list[str]:
    """Put an attribution that shares a line with the reply on its own line."""
    out: list[str] = []
    for line in lines:
        match = _INLINE_WROTE.match(line) if len(line) < 500 else None
        if match and not _ATTRIBUTION_START.match(line.strip()):
            out.extend([match.group("keep"), match.group("attr")])
        else:
            out.append(line)
    return out


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _unquote(lines: list[str]) -> str:
    out = [re.sub(r"^\s*>+ ?", "", line) if _is_quoted(line) else line for line in lines]
    return tidy("\n".join(out))


def _cut_at_next(lines: list[str]) -> list[str]:
    markers = _markers(lines)
    return lines[: markers[0].index] if markers else lines


def _clean(lines: list[str]) -> str:
    """Drop quoted lines, then the signature and everything below it."""
    unquoted = [line for line in lines if not _is_quoted(line)]
    if any(line.strip() for line in unquoted):
        lines = unquoted
    lines = [line for line in lines if QUOTE_MARK not in line]
    content_seen = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if content_seen and (_SIG_DASHES.match(line) or _MOBILE.match(stripped)):
            return tidy("\n".join(lines[:index]))
        if content_seen and (_SIG_LINE.match(stripped) or _SIGNOFF.match(stripped)):
            rest = [other for other in lines[index + 1 :] if other.strip()]
            if len(rest) <= 8:
                return tidy("\n".join(lines[:index]))
        if _MOBILE.match(stripped) and not content_seen:
            return ""
        if stripped:
            content_seen = True
    return tidy("\n".join(lines))


def _plain(lines: list[str]) -> str:
    return tidy("\n".join(line for line in lines if QUOTE_MARK not in line))
