"""What the CLI prints never acts on the operator's terminal.

Subjects, names and addresses come from strangers. Printed raw, an escape sequence in them is
obeyed by the terminal (ECMA-48: OSC sets the window title, CSI clears the screen or moves the
cursor; some terminals even answer back on standard input), a C1 control does the same in one
character, and a bidi override (Unicode UAX #9; CVE-2021-42574 "Trojan Source") makes the line
read differently from what it holds.

`printable` is the one rule: such characters are shown as a visible ``\\uXXXX``. The escape is
also a valid JSON escape, so inside a JSON string it gives the same character back: `--json`
output stays valid and exact (``json.dumps`` already escapes C0; C1 and bidi controls are left
raw by ``ensure_ascii=False``, and are escaped here). The CLI installs `printable_output` around
every command, so every print, log line and argparse message goes through it; rich tables write
to `unfiltered` and clean their cells themselves (their own colour codes must reach the terminal).
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

# One character class, no repetition: linear, and chunk boundaries cannot split a match.
# C0 except TAB and LF (CR too moves the cursor), DEL, C1, ALM, LRM/RLM, LS/PS, the bidi
# embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with every terminal control shown as a visible ``\\uXXXX``; TAB and LF kept."""
    return _UNSAFE.sub(_escape, text)


class PrintableStream(io.TextIOBase):
    """A text stream that writes `printable` text to another one."""

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # typeshed: an attribute; io: read-only
        return self.raw.encoding


def unfiltered(stream: TextIO) -> TextIO:
    """The stream under a `PrintableStream` (for rich, whose cells are cleaned one by one)."""
    return stream.raw if isinstance(stream, PrintableStream) else stream


@contextmanager
def printable_output() -> Iterator[None]:
    """Standard output and error made `printable` for the block, then put back."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(saved[0]), PrintableStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved
