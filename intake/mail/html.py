"""HTML mail → readable text, with the place where quoted history starts marked.

Conversion is inscriptis (it lays out tables, lists and blocks the way a reader sees them).
Before converting, the containers that mail clients wrap around quoted history are marked
with `QUOTE_MARK`, so `quotes.strip_quoted` can cut there even when the client wrote no
"On … wrote:" line the text rules would recognise.
"""

from __future__ import annotations

import html as html_entities
import re

from inscriptis import get_text

QUOTE_MARK = "[[guichet:quoted-history]]"

# Where each client starts the quoted history (observed in their HTML; no RFC covers this).
_QUOTE_CONTAINERS = re.compile(
    r"<(?:"
    r"div[^>]*\bclass=[\"']?[^\"'>]*\bgmail_quote\b"  # Gmail
    r"|div[^>]*\bclass=[\"']?[^\"'>]*\bgmail_attr\b"  # Gmail "Le … a écrit :" line
    r"|blockquote[^>]*\btype=[\"']?cite"  # Apple Mail, Thunderbird
    r"|div[^>]*\bclass=[\"']?moz-cite-prefix"  # Thunderbird's "Le … a écrit :"
    r"|div[^>]*\bid=[\"']?(?:divRplyFwdMsg|appendonsend|x_divRplyFwdMsg)"  # Outlook web / new
    r"|div[^>]*\bid=[\"']?mail-editor-reference-message-container"  # Outlook for Mac
    r"|div[^>]*\bclass=[\"']?(?:OutlookMessageHeader|yahoo_quoted)"
    r"|hr[^>]*\bid=[\"']?stopSpelling"  # Hotmail / Windows Live
    # Outlook desktop: the header block sits in a div with a thin top border.
    r"|div[^>]*\bstyle=[\"'][^\"']*border-top:\s*solid\s+#(?:E1E1E1|B5C4DF)"
    r")",
    re.I,
)
_HR = re.compile(r"<hr\b[^>]*>", re.I)
_DROP = re.compile(r"<(script|style|title|head)\b.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"\n{3,}")
_CR = re.compile(r"\r+\n")


MAX_MARKUP = 2_000_000
"""Characters of HTML converted; a ticket needs no more, and the time stays bounded."""


def html_to_text(markup: str, *, mark_quotes: bool = False) -> str:
    """Readable text of an HTML body; never raises."""
    markup = markup[:MAX_MARKUP]
    if mark_quotes:
        match = _QUOTE_CONTAINERS.search(markup)
        if match:
            at = match.start()
            markup = f"{markup[:at]}<p>{QUOTE_MARK}</p>{markup[at:]}"
    # inscriptis draws nothing for <hr>; clients use it above quoted headers, so break the line.
    markup = _HR.sub("<br>", markup)
    try:
        text = get_text(markup)
    except Exception:  # lxml rejects some markup; a crude text beats none
        text = ""
    if not text.strip():
        # Also when lxml gave up silently (nesting deeper than its limit yields an empty tree).
        visible = _DROP.sub(" ", markup) if len(markup) < 200_000 else markup  # .*? is O(n²)
        text = html_entities.unescape(_TAGS.sub(" ", visible))
    return tidy(text)


def tidy(text: str) -> str:
    """Unix newlines, no trailing blanks, at most one empty line in a row."""
    # "\r\r\n" comes from clients that QP-encode CR ("=0D") before the line break.
    text = _CR.sub("\n", text).replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    # Line by line: a regex for trailing blanks is quadratic on long runs of spaces.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()
