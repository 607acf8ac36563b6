"""The proposal's evidence shown in the text it came from: the text is escaped first, then
each span the classifier quoted is wrapped in <mark>. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Where each quote occurs in `text` (case-insensitive), overlapping spans merged."""
    lowered = text.casefold()
    found: list[tuple[int, int]] = []
    for quote in {q.strip().casefold() for q in quotes if q and q.strip()}:
        if len(quote) != len(quote.casefold()) or len(lowered) != len(text):
            continue  # a case fold that changes lengths would shift the offsets
        start = lowered.find(quote)
        while start >= 0:
            found.append((start, start + len(quote)))
            start = lowered.find(quote, start + len(quote))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, quotes: Iterable[str]) -> Markup:
    """`text` escaped, with every quote in <mark>."""
    out = Markup("")
    at = 0
    for start, end in spans(text, quotes):
        out += escape(text[at:start]) + Markup("<mark>") + escape(text[start:end])
        out += Markup("</mark>")
        at = end
    return out + escape(text[at:])
