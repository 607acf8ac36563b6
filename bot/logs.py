"""Operator logs: one line per event, addresses redacted, bodies and passwords never written."""

from __future__ import annotations

import logging
import re
import sys

_ADDRESS = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def redact(text: str) -> str:
    """`jeanne.tremblay@msss.example` → `j…@msss.example`: the domain says enough."""
    return _ADDRESS.sub(r"\1…@\2", text)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiosqlite", "sqlalchemy.engine", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
