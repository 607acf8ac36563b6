"""The ticket number, `CSC-000123`: its one format, read and written here only.

At least six digits, more when the count grows past 999,999 (`CSC-1000000`): every reader
accepts any width from 1 to 12 digits, so ticket one million threads like ticket one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

PREFIX = "CSC"
WIDTH = 6
"""Digits written at least (zero-padded): `CSC-000123`."""
MAX_DIGITS = 12
DIGITS = rf"\d{{1,{MAX_DIGITS}}}"
PATTERN = rf"{PREFIX}-{DIGITS}"
"""The canonical form as a regular expression fragment (case-insensitive use)."""

_EXACT = re.compile(rf"{PREFIX}-?({DIGITS})", re.IGNORECASE)
_IN_TEXT = re.compile(rf"\b{PREFIX}-?({DIGITS})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class TicketNumber:
    """A ticket's public number; `str()` gives its canonical spelling."""

    value: int

    def __post_init__(self) -> None:
        if not 0 < self.value < 10**MAX_DIGITS:
            raise ValueError(f"a ticket number runs from 1 to {10**MAX_DIGITS - 1}")

    def __str__(self) -> str:
        return f"{PREFIX}-{self.value:0{WIDTH}d}"

    @classmethod
    def parse(cls, text: str) -> Self:
        """`CSC-000123`, `csc-123` or `CSC123` → the number; ValueError for anything else."""
        match = _EXACT.fullmatch(text.strip())
        if match is None or int(match.group(1)) == 0:
            raise ValueError(f"not a ticket number (expected like {cls(123)})")
        return cls(int(match.group(1)))

    @classmethod
    def of(cls, text: str | None) -> Self | None:
        """`parse`, or None for anything that is not a ticket number."""
        try:
            return cls.parse(text or "")
        except ValueError:
            return None

    @classmethod
    def from_digits(cls, digits: str) -> Self:
        return cls(int(digits))


def canonical(text: str) -> str | None:
    """The canonical spelling of a number as people write it (`csc-12` → `CSC-000012`)."""
    number = TicketNumber.of(text)
    return str(number) if number else None


def numbers_in(text: str) -> list[TicketNumber]:
    """The ticket numbers a text names, in order, once each (`csc 12` is not one; `CSC-12` is)."""
    found = (TicketNumber(int(m.group(1))) for m in _IN_TEXT.finditer(text) if int(m.group(1)))
    return list(dict.fromkeys(found))
