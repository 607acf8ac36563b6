"""Numbers, durations and instants written the way Quebec readers (and English ones) expect.

French: decimal comma, a no-break space between thousands and before "%"
(Office québécois de la langue française), "2 h 30" for durations, 24-hour times.
"""

from __future__ import annotations

from datetime import datetime

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator


def number(value: float, decimals: int = 0, language: str = "fr") -> str:
    """``12345.6`` → ``12 345,6`` (fr) or ``12,345.6`` (en)."""
    text = f"{value:,.{decimals}f}"
    if language == "en":
        return text
    return text.replace(",", NNBSP).replace(".", ",")


def percent(share: float | None, decimals: int = 1, language: str = "fr") -> str:
    """A share (0.853) as ``85,3 %`` (fr) or ``85.3%`` (en); ``–`` when there is none."""
    if share is None:
        return "–"
    shown = number(share * 100, decimals, language)
    return f"{shown}{NBSP}%" if language != "en" else f"{shown}%"


def duration(seconds: float | None, language: str = "fr") -> str:
    """``9000`` → ``2 h 30`` (fr) or ``2 h 30 min`` (en); seconds under a minute: ``35 s``."""
    if seconds is None:
        return "–"
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    if total < 60:
        return f"{sign}{total}{NBSP}s"
    hours, minutes = divmod(total // 60, 60)
    if hours == 0:
        return f"{sign}{minutes}{NBSP}min"
    if language == "en":
        return f"{sign}{hours}{NBSP}h{NBSP}{minutes:02d}{NBSP}min"
    return f"{sign}{number(hours)}{NBSP}h{NBSP}{minutes:02d}"


def instant(value: datetime | None, language: str = "fr") -> str:
    """``2026-10-05 14:30`` in the value's own time zone (the policy's, for clocks)."""
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M")
