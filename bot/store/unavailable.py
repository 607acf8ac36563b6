"""What a loop of the service says while the database cannot be used (PostgreSQL down or
restarting, a connection cut, SQLite locked: `OperationalError`, see `bot.store.db`).

The operator's problem, said once per episode: the first failure is one warning naming the loop,
what failed and what to check, and that the loop retries on its own; the retries after it are
debug; the first pass that works again says so, with how long it lasted. Nothing is given up
meanwhile: what was not written is written when the database is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

WHAT_TO_DO = "check that the database server is running and reachable (GUICHET_DATABASE_URL)"


def cause(exc: BaseException) -> str:
    """The error at the bottom of `exc` in one bounded line (`ConnectionRefusedError: …`):
    what the driver or the socket said, not SQLAlchemy's wrapping of it."""
    inner = exc
    while inner.__cause__ is not None:
        inner = inner.__cause__
    orig = getattr(inner, "orig", None)  # a DBAPIError raised without its cause
    if isinstance(orig, BaseException) and orig is not inner:
        return cause(orig)
    text = f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
    return text.splitlines()[0][:200]


class Unavailable:
    """One loop's record of the database being unavailable: `failed` on each failure, `working`
    after each pass that reached it."""

    def __init__(
        self, log: logging.Logger, loop: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._log = log
        self._loop = loop
        self._clock = clock
        self._since: float | None = None

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException, retry: str) -> None:
        """The database failed this loop; `retry` says when it tries again ("every 5s")."""
        if self._since is None:
            self._since = self._clock()
            self._log.warning(
                "%s: the database is unavailable (%s); %s; retrying %s, nothing is lost meanwhile",
                self._loop,
                cause(exc),
                WHAT_TO_DO,
                retry,
            )
        else:
            self._log.debug("%s: the database is still unavailable (%s)", self._loop, cause(exc))

    def now(self) -> float:
        """When a pass begins, for `working` (a loop whose passes overlap)."""
        return self._clock()

    def working(self, began: float | None = None) -> None:
        """The loop reached the database: the end of an episode, if there was one. A pass that
        `began` before the episode did proves nothing (it got through before the failure)."""
        if self._since is not None and (began is None or began >= self._since):
            lasted = self._clock() - self._since
            self._since = None
            self._log.info("%s: the database is back after %.0fs", self._loop, lasted)
