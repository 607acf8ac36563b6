"""Which of the workers sharing one store does a job that only one may do at a time: read a
given mailbox (two readers would both fetch, then both move, the same mail), run a periodic
watcher (two would both scan, and race on what they write).

On PostgreSQL a worker leads a job while it holds a session-level advisory lock on a key
derived from the job's name (`pg_try_advisory_lock`), on a connection of its own kept open for
that (one per worker, for all its jobs): should the worker die, the server drops its
connection, the locks with it, and another worker, retrying every few seconds, takes over.
SQLite is one process: it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from intake.lifecycle import wait_set

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
    """A lead held on PostgreSQL: an advisory lock of the election's connection."""

    def __init__(self, election: PostgresElection, job: str) -> None:
        self._election = election
        self.job = job
        self.gone = asyncio.Event()
        """Set when the connection holding the lock was dropped (so was the lock)."""
        self._resigned = False

    async def lost(self) -> None:
        # A session-level lock lives as long as its session: the connection answering proves
        # the lock is still ours. Unanswered within CHECK_TIMEOUT, it is given up for lost,
        # before the server's keepalives (`_KEEPALIVES`) end the session and free the lock.
        while not self._resigned and not self.gone.is_set():
            if await wait_set(self.gone, self._election.check_seconds):
                break
            try:
                await self._election.statement("SELECT 1")
            except Exception:  # the connection is gone, and the lock with it
                break
        if not self._resigned:  # the job's runner says so to the operator
            log.debug("lost the lead of %s", self.job)

    async def resign(self) -> None:
        if self._resigned:
            return
        self._resigned = True
        await self._election.unlock(self)


class PostgresElection:
    """Leads through PostgreSQL advisory locks, all held by one connection of this worker's
    own, kept open: standing by costs a statement every few seconds, not a connection."""

    def __init__(self, url: str, *, check_seconds: float = 2.0) -> None:
        # Never pooled: a connection handed back to a pool would keep its session, and the locks.
        self._engine = create_async_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": _KEEPALIVES},
        )
        self.check_seconds = check_seconds
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()
        """One statement at a time on the connection (asyncpg runs one at a time)."""
        self._held: dict[str, _Held] = {}

    async def try_lead(self, job: str) -> Leadership | None:
        if job in self._held:  # the session already holds it (advisory locks are reentrant)
            return None
        if not await self.statement("SELECT pg_try_advisory_lock(:key)", key=lock_key(job)):
            return None
        held = self._held[job] = _Held(self, job)
        return held

    async def statement(self, sql: str, **params: object) -> object:
        """Run one statement on the lead connection (opened if need be); its one value. A
        connection that fails or does not answer is dropped, and every lead with it. A caller
        cancelled meanwhile does not cancel the statement: a query cut mid-way would leave the
        connection, and every lock on it, in doubt."""
        running = asyncio.ensure_future(self._statement(sql, params))
        running.add_done_callback(_retrieved)
        return await asyncio.shield(running)

    async def _statement(self, sql: str, params: dict[str, object]) -> object:
        async with self._turn:
            if self._connection is None:
                self._connection = await self._engine.connect()
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    return (await self._connection.execute(text(sql), params)).scalar_one()
            except BaseException:
                await self._drop()
                raise

    async def unlock(self, held: _Held) -> None:
        if self._held.get(held.job) is not held:
            return  # its connection was dropped: the lock went with it
        del self._held[held.job]
        try:
            await self.statement("SELECT pg_advisory_unlock(:key)", key=lock_key(held.job))
        except Exception:  # dropped meanwhile: the server released the lock then
            log.debug("the lead connection was gone as %s resigned", held.job)

    async def _drop(self) -> None:
        """Forget the connection without a word (a graceful close could wait on a peer that
        no longer answers); the server ends the session, and its locks, on its side."""
        connection, self._connection = self._connection, None
        for held in self._held.values():
            held.gone.set()
        self._held.clear()
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()

    async def close(self) -> None:
        async with self._turn:
            connection, self._connection = self._connection, None
            for held in self._held.values():
                held.gone.set()
            self._held.clear()
            if connection is not None:
                try:
                    async with asyncio.timeout(CHECK_TIMEOUT):
                        await connection.close()  # the session ends, the locks with it
                except Exception:
                    with contextlib.suppress(Exception):
                        await connection.invalidate()
        await self._engine.dispose()


def _retrieved(task: asyncio.Future[object]) -> None:
    """Its outcome is read even when its caller was cancelled (no "never retrieved" noise)."""
    if not task.cancelled():
        task.exception()


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
