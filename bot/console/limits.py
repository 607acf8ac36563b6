"""The sign-in's brake: after 5 failures for one email address or one client address within
15 minutes, every try of that address is refused (429) until the window has passed.

Kept in memory, per process: a restart forgets it, and several workers each count their own.
The window slides: a try is refused while 5 failures lie within the last 15 minutes."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
MAX_KEYS = 10_000
"""Bounded memory: the oldest keys go first when a flood of addresses arrives."""


class SignInLimits:
    def __init__(self, *, failures: int = MAX_FAILURES, window: timedelta = WINDOW) -> None:
        self._failures = failures
        self._window = window
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()

    def blocked(self, keys: Iterable[str], now: datetime) -> bool:
        """Whether any of `keys` ("email:…", "addr:…") has used up its failures."""
        return any(len(self._recent(key, now)) >= self._failures for key in keys)

    def failed(self, keys: Iterable[str], now: datetime) -> None:
        for key in keys:
            self._recent(key, now).append(now)
            self._seen.move_to_end(key)
        while len(self._seen) > MAX_KEYS:
            self._seen.popitem(last=False)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self._window:
            times.popleft()
        return times
