"""Which of the workers sharing one store does a job that only one may do at a time: read a
given mailbox (two readers would both fetch, then both move, the same mail), run a periodic
watcher (two would both scan, and race on what they write).

On PostgreSQL a worker leads a job while it holds a session-level advisory lock on a key
derived from the job's name (`pg_try_advisory_lock`), on a connection of its own kept open for
that: should the worker die, the server drops its connection, the lock with it, and another
worker, retrying every few seconds, takes over. SQLite is one process: it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)


class Leadership(Protocol):
    """This worker leads one job, until `lost()` returns or it resigns."""

    async def lost(self) -> None:
        """Return once this worker no longer leads (its hold on the store was cut): the job
        must stop at once, another worker may be starting it."""

    async def resign(self) -> None:
        """Stop leading, at once for the others (idempotent)."""


class Election(Protocol):
    """The port: one real implementation per store (`PostgresElection`, `SoleElection`)."""

    async def try_lead(self, job: str) -> Leadership | None:
        """Lead `job` if no other worker does now; None if one does. Raises when the store
        cannot be reached (the caller retries)."""

    async def close(self) -> None:
        """Release what the election holds (every leadership it gave is lost)."""


def lock_key(job: str) -> int:
    """The advisory-lock key of `job`: a signed 64-bit hash of its namespaced name (what
    `pg_try_advisory_lock(bigint)` takes); stable across processes and versions."""
    digest = hashlib.blake2b(f"guichet:{job}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


CHECK_TIMEOUT = 5.0
"""How long the leader waits for its lead connection to answer before it stops the job."""

_KEEPALIVES = {
    "application_name": "guichet-lead",
    # The server ends a lead session whose client stopped answering (its host died, the
    # network split) after about 5 + 3 × 2 = 11 s of silence, freeing the lock; the default
    # (the kernel's, often two hours) would leave the job without a leader that long. The
    # leader itself stops within its check interval + CHECK_TIMEOUT (7 s), before.
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


class _Held:
    """A lead held on PostgreSQL: the advisory lock of an open connection."""

    def __init__(
        self,
        connection: AsyncConnection,
        job: str,
        check_seconds: float,
        on_resigned: Callable[[_Held], None],
    ) -> None:
        self._connection = connection
        self._on_resigned = on_resigned
        self._job = job
        self._check_seconds = check_seconds
        self._resigned = False
        self._broken = False

    async def lost(self) -> None:
        # A session-level lock lives as long as its session: the connection answering proves
        # the lock is still ours. Unanswered within CHECK_TIMEOUT, it is given up for lost,
        # before the server's keepalives (`_KEEPALIVES`) end the session and free the lock.
        while not self._resigned:
            await asyncio.sleep(self._check_seconds)
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await self._connection.execute(text("SELECT 1"))
            except Exception as exc:  # the connection is gone, and the lock with it
                log.warning("lost the lead of %s: %s", self._job, type(exc).__name__)
                self._broken = True
                return
        # Resigned: nothing to watch any more.

    async def resign(self) -> None:
        if self._resigned:
            return
        self._resigned = True
        self._on_resigned(self)
        if not self._broken:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await self._connection.close()  # the session ends, the lock with it
                return
            except Exception:  # already dropped: the server released the lock then
                log.debug("the lead connection of %s was already gone", self._job)
        # Broken, or not closing: drop the socket without a word (a graceful close could wait
        # on a peer that no longer answers).
        with contextlib.suppress(Exception):
            await self._connection.invalidate()


class PostgresElection:
    """Leads through PostgreSQL advisory locks, one dedicated connection per job led."""

    def __init__(self, url: str, *, check_seconds: float = 2.0) -> None:
        # Never pooled: a connection handed back to a pool would keep its session, and the lock.
        self._engine = create_async_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": _KEEPALIVES},
        )
        self._check_seconds = check_seconds
        self._held: set[_Held] = set()

    async def try_lead(self, job: str) -> Leadership | None:
        connection = await self._engine.connect()
        try:
            won = (
                await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(job)}
                )
            ).scalar_one()
        except BaseException:
            await connection.close()
            raise
        if not won:
            await connection.close()
            return None
        held = _Held(connection, job, self._check_seconds, self._held.discard)
        self._held.add(held)
        return held

    async def close(self) -> None:
        for held in list(self._held):
            await held.resign()
        await self._engine.dispose()


class _Sole:
    def __init__(self) -> None:
        self._resigned = asyncio.Event()

    async def lost(self) -> None:
        await self._resigned.wait()  # never lost: only a resignation ends it

    async def resign(self) -> None:
        self._resigned.set()


class SoleElection:
    """One process on its own store (SQLite): it leads every job."""

    async def try_lead(self, job: str) -> Leadership | None:
        return _Sole()

    async def close(self) -> None:
        return None


def election_for(url: str) -> Election:
    """Advisory locks on PostgreSQL; on SQLite, which one process uses, the sole worker leads."""
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresElection(url)
    return SoleElection()
