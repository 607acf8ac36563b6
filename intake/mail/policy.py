"""The `email` package's modern policy, with a header factory that remembers what it made.

CPython's (3.11) `HeaderRegistry` builds a new class on every lookup, and the modern policy
parses a header again on every `msg.get`: reading one ordinary message parsed its Content-Type
about seventeen times (each `get_content_type`, `get_param`, `get_filename`, …), which was most
of the cost of reading it. Header objects are immutable once made (a `str` with a parse tree
nothing writes to), so one object serves every read of the same name and value, in this message
and the next. The memory is bounded: the table is emptied when it holds a few thousand entries
(plain dictionary reads and writes: safe from several threads).
"""

from __future__ import annotations

import email.policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.policy import EmailPolicy
from typing import Any

_LONGEST = 2_000
"""A value longer than this is parsed every time (and not kept): memory stays small."""


class RememberingRegistry(HeaderRegistry):
    """`HeaderRegistry`, with one class per header name and one object per (name, value)."""

    def __init__(self, kept: int = 4_096) -> None:
        super().__init__()
        self._kept = kept
        self._classes: dict[str, type[BaseHeader]] = {}
        self._made: dict[tuple[str, str], Any] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        made = self._classes.get(name)
        if made is None:
            made = super().__getitem__(name)
            if len(self._classes) < self._kept:
                self._classes[name] = made
        return made

    def __call__(self, name: str, value: str) -> Any:
        if not isinstance(value, str) or len(value) > _LONGEST:
            return super().__call__(name, value)
        key = (name, value)
        made = self._made.get(key)
        if made is None:
            made = super().__call__(name, value)
            if len(self._made) >= self._kept:
                self._made.clear()
            self._made[key] = made
        return made


def remembering(policy: EmailPolicy[Any]) -> EmailPolicy[Any]:
    """`policy` with its own remembering header factory."""
    return policy.clone(header_factory=RememberingRegistry())


READING = remembering(email.policy.default)
"""The policy every received message is read with."""
