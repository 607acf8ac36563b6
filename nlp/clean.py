"""Keep the part of a message that the sender wrote now: no quoted history, no signature.

Cutting early makes triage both faster (long threads) and more accurate (quoted history often
talks about another problem).
"""

from __future__ import annotations

import re

MAX_CHARS = 1200
"""What triage keeps of the cleaned body."""

MAX_SUBJECT_CHARS = 1000
"""What triage reads of a subject. RFC 5322 §2.1.1 limits a line to 998 characters; a longer
subject (folded, or hostile) adds nothing a classifier can use."""

MAX_BODY_CHARS = 20_000
"""What `clean` scans of a body, before it cuts: ample room for the new part to start after a
long header block, yet a few milliseconds of work. Subject and body together stay far below
spaCy's limit of 1,000,000 characters per text, which a 2 MB subject used to exceed (the whole
batch then failed)."""

_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:message d'origine|original message|message transféré|forwarded message)"
    r"|_{5,}"
    r"|(?:le|on)\b.{4,120}(?:a écrit|wrote)\s*:"
    r"|(?:de|from)\s*:\s*\S.*"
    r"|>)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^(?:--\s*|avis de confidentialit|confidentiality notice|envoyé de mon|sent from my)",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:merci(?: beaucoup| d'avance| de votre aide| à l'avance)?|bonne journée|cordialement"
    r"|salutations|au plaisir|bien à vous|thanks?(?: you)?(?: in advance)?|best(?: regards)?"
    r"|regards|cheers|kind regards)\s*[,.!]*$",
    re.IGNORECASE,
)


_FORWARDED = re.compile(r"^-{2,}\s*(?:message transféré|forwarded message)", re.IGNORECASE)
_HISTORY = re.compile(
    r"^(?:-{2,}\s*(?:message d'origine|original message)|(?:de|from)\s*:)", re.IGNORECASE
)
_HEADER = re.compile(
    r"^(?:de|from|envoyé|sent|à|to|cc|objet|subject|date|le|on)\s*:|^-{2,}", re.IGNORECASE
)
_POINTER = re.compile(r"plus bas|ci-dessous|see below|below|fyi|pour info|\bvoir\b", re.I)


def _cut(lines: list[str]) -> int:
    """Index of the first line that is not what the sender wrote now."""
    kept = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _QUOTE_START.match(stripped) or _SIGNATURE.match(stripped):
            return i
        if kept and _CLOSING.match(stripped):
            return i
        kept = kept or bool(stripped)
    return len(lines)


def clean(text: str) -> str:
    """Return the new part of `text`, cut before quoted history, closing formula or signature.

    A forward ("Message transféré", "Forwarded message") or a new part that points below
    ("voir plus bas", "see below") keeps the forwarded message too: that is where the problem
    is told. A reply above history ("Des nouvelles?") keeps only the reply.
    """
    lines = text[:MAX_BODY_CHARS].replace("\r\n", "\n").split("\n")
    cut = _cut(lines)
    kept = lines[:cut]
    marker = lines[cut].strip() if cut < len(lines) else ""
    if _FORWARDED.match(marker) or (_HISTORY.match(marker) and _POINTER.search(" ".join(kept))):
        rest = cut
        while rest < len(lines) and (_HEADER.match(lines[rest].strip()) or not lines[rest].strip()):
            rest += 1
        tail = lines[rest:]
        kept = [*kept, *tail[: _cut(tail)]]
    out = "\n".join(kept).strip()
    return out[:MAX_CHARS] if out else text.strip()[:MAX_CHARS]


def compose(subject: str, text: str) -> str:
    """The text that is triaged: the subject, then the cleaned body (both capped, see above)."""
    body = clean(text)
    subject = subject[:MAX_SUBJECT_CHARS].strip()
    return f"{subject}\n{body}" if subject else body
