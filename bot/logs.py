"""Operator logs: one line per record, addresses redacted, control characters escaped, bodies
and passwords never written, and nothing written on the event loop.

Records are handed to a queue (`QueueHandler`: a copy and a put, never blocking) and written by
one thread (`QueueListener`), so a slow terminal, a full pipe or a long record never stalls the
service. Whatever reaches a record is hostile: it is clipped to `LIMIT` characters, redacted in
linear time and every control character is escaped, so a value cannot forge a second line
(CWE-117) nor drive the operator's terminal.
"""

from __future__ import annotations

import atexit
import logging
import queue
import re
import string
import sys
from dataclasses import dataclass
from logging.handlers import QueueHandler, QueueListener
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIMIT = 8_000
"""Characters of one record written (head and tail kept); the rest is counted, not scanned."""

_LOCAL = "A-Za-z0-9._%+-"
_LOCAL_CHARS = string.ascii_letters + string.digits + "._%+-@"
# Linear: a match may only start where a run of address characters starts (the look-behind),
# and the local part is possessive (`*+`, no backtracking into it; '@' is not in the class), so
# each run is scanned a bounded number of times. The old pattern retried every position of a
# long run without '@' and took minutes on a megabyte.
_ADDRESS = re.compile(rf"(?<![{_LOCAL}])([{_LOCAL}])[{_LOCAL}]*+@([A-Za-z0-9.-]+\.[A-Za-z]{{2,}})")
# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
# overrides (which reorder what a terminal shows).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NOISY = ("aiosqlite", "sqlalchemy.engine", "aiohttp.access", "alembic")


def redact(text: str) -> str:
    """`jeanne.tremblay@msss.example` → `j…@msss.example`: the domain says enough."""
    return _ADDRESS.sub(r"\1…@\2", text)


def escape(text: str) -> str:
    """Control characters as visible escapes (`\\n`, `\\x1b`, `\\u2028`): one record, one line."""
    return _CONTROL.sub(_escaped, text)


def clip(text: str, limit: int = LIMIT) -> str:
    """At most about `limit` characters: the head and the tail (where an exception's last line
    is), with what was left out counted. A cut never leaves part of an address's local part."""
    if len(text) <= limit:
        return text
    half = limit // 2
    head = text[:half].rstrip(_LOCAL_CHARS)
    tail = text[-half:]
    return f"{head}… [{len(text) - len(head) - len(tail)} characters left out] …{tail}"


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class OneLineFormatter(logging.Formatter):
    """The formatted record (message, exception and stack included), clipped, redacted and
    escaped: runs in the log thread, never on the event loop."""

    def format(self, record: logging.LogRecord) -> str:
        return escape(redact(clip(super().format(record))))


class _Handoff(QueueHandler):
    """Puts a prepared copy of each record on the queue, marked as having come through it."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        prepared: logging.LogRecord = super().prepare(record)
        prepared.guichet_queued = True
        return prepared


def _from_queue(record: logging.LogRecord) -> bool:
    return bool(getattr(record, "guichet_queued", False))


@dataclass
class _OffLoop:
    handoff: _Handoff
    listener: QueueListener
    targets: list[logging.Handler]


_running: _OffLoop | None = None
_at_exit = False


def start() -> bool:
    """Move the root logger's handlers behind a queue written by one thread; False when they
    already are (the CLI did it). A handler left on the root logger accepts only records that
    come through the queue, so whoever removes it later (a test harness) still can."""
    global _running
    if _running is not None:
        return False
    root = logging.getLogger()
    targets = list(root.handlers)
    handoff = _Handoff(queue.SimpleQueue())
    for handler in targets:
        handler.addFilter(_from_queue)
    listener = QueueListener(handoff.queue, *targets, respect_handler_level=True)
    listener.start()
    root.addHandler(handoff)
    _running = _OffLoop(handoff, listener, targets)
    return True


def stop() -> None:
    """Write every queued record, then let the handlers write directly again (idempotent)."""
    global _running
    if _running is None:
        return
    running, _running = _running, None
    logging.getLogger().removeHandler(running.handoff)
    for handler in running.targets:
        handler.removeFilter(_from_queue)
    running.listener.stop()  # drains the queue before it returns


def configure(level: str, stream: TextIO | None = None) -> None:
    """The service's logging (called by the CLI): one line per record on stderr, written by the
    log thread, flushed at exit."""
    global _at_exit
    stop()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    start()
    if not _at_exit:
        atexit.register(stop)
        _at_exit = True
