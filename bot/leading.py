"""Jobs that only one worker may run at a time, run while this worker leads them
(`bot.store.election`): a mailbox reader (`Elected`, a connector) and the periodic watchers
(`while_leading`). The others stand by and try again every few seconds, so a worker that dies
is replaced that soon.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.store.election import Election, Leadership
from bot.store.unavailable import Unavailable
from intake.health import Health, State
from intake.lifecycle import Lifecycle
from intake.message import InboundMessage
from intake.ports import Connector

log = logging.getLogger(__name__)

RETRY_SECONDS = 3.0
"""How often a standing-by worker tries to lead: how long a dead leader's job waits, at most,
beyond the moment the server notices the dead connection."""


_UNAVAILABLE: weakref.WeakKeyDictionary[Election, Unavailable] = weakref.WeakKeyDictionary()


def _unavailable(election: Election) -> Unavailable:
    """One record for all the jobs of an election: they stand through the same connection, so
    they fail, and come back, together; the operator hears of it once, not once a job."""
    found = _UNAVAILABLE.get(election)
    if found is None:
        found = _UNAVAILABLE[election] = Unavailable(log, "leader election")
    return found


async def campaign(
    election: Election,
    job: str,
    *,
    retry_seconds: float = RETRY_SECONDS,
    on_failure: Callable[[Exception], None] = lambda _exc: None,
) -> Leadership:
    """Wait until this worker leads `job`, trying every `retry_seconds`.

    A worker that has just lost a lead waits that long before it stands again: its connection
    to the store failed while another worker's may not have, and the others get their turn."""
    down = _unavailable(election)
    while True:
        try:
            held = await election.try_lead(job)
        except Exception as exc:  # the store is down: the operator's problem, said once
            down.failed(exc, f"every {retry_seconds:g}s")
            on_failure(exc)
            held = None
        else:
            down.working()
        if held is not None:
            log.info("leading %s", job)
            return held
        await asyncio.sleep(retry_seconds)


async def while_leading(
    election: Election,
    job: str,
    run: Callable[[], Awaitable[None]],
    *,
    retry_seconds: float = RETRY_SECONDS,
) -> None:
    """Run `run()` while this worker leads `job`: stand by until it does, cancel the run when
    the lead is lost, and stand again. Returns (or raises) when the run itself does."""
    while True:
        held = await campaign(election, job, retry_seconds=retry_seconds)
        try:
            running = asyncio.ensure_future(run())
            lost = asyncio.ensure_future(held.lost())
            try:
                await asyncio.wait({running, lost}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (running, lost):
                    task.cancel()
                results = await asyncio.gather(running, lost, return_exceptions=True)
            if not running.cancelled() or not lost.done() or lost.cancelled():
                # The run ended by itself (or this worker is stopping): so does the job.
                if isinstance(results[0], BaseException):
                    raise results[0]
                return
            log.warning("%s: the lead was lost; standing by", job)
        finally:
            await held.resign()
        await asyncio.sleep(retry_seconds)  # a worker that just lost stands back: see `campaign`


class Elected(Lifecycle):
    """A connector read only while this worker leads its job (one mailbox): a fresh reader is
    made for each term, and stopped when the lead is lost. Messages read in a term that ended
    before they were confirmed stay in the mailbox; the next leader reads them again and the
    store keeps one copy (its bytes' digest and Message-ID are unique)."""

    def __init__(
        self,
        name: str,
        make: Callable[[], Connector],
        election: Election,
        *,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.name = name
        self._make = make
        self._election = election
        self._retry_seconds = retry_seconds
        self._reader: Connector | None = None
        self._term: dict[int, Connector] = {}
        """The reader of this term that yielded each message not yet confirmed: a message is
        confirmed to the reader that read it, never to the next term's."""
        self._health = Health(State.STANDBY, datetime.now(UTC), "waiting to lead this mailbox")

    async def start(self) -> None:
        """Nothing to start: the reader starts when this worker leads."""

    async def stop(self) -> None:
        reader = self._reader
        if reader is not None:
            await reader.stop()

    def health(self) -> Health:
        reader = self._reader
        return reader.health() if reader is not None else self._health

    async def confirm(self, message: InboundMessage) -> None:
        reader = self._term.pop(id(message), None)
        if reader is not None:  # else its term ended: the next leader reads it again
            await reader.confirm(message)

    async def reject(self, message: InboundMessage, reason: str) -> None:
        reader = self._term.pop(id(message), None)
        if reader is not None:
            await reader.reject(message, reason)

    async def __aiter__(self) -> AsyncIterator[InboundMessage]:
        while True:
            held = await campaign(
                self._election,
                f"mailbox:{self.name}",
                retry_seconds=self._retry_seconds,
                on_failure=self._failed,
            )
            watch = asyncio.ensure_future(held.lost())
            try:
                reader = self._reader = self._make()
                async with reader:
                    async for message in _until(reader, watch):
                        self._term[id(message)] = reader
                        yield message
            finally:
                watch.cancel()
                await asyncio.gather(watch, return_exceptions=True)
                self._reader = None
                self._term.clear()
                self._health = Health(
                    State.STANDBY, datetime.now(UTC), "another worker reads this mailbox"
                )
                await held.resign()
            if watch.cancelled():  # the reader ended by itself (stopped): so does this
                return
            log.warning("%s: the lead was lost; standing by", self.name)
            await asyncio.sleep(self._retry_seconds)  # stand back: see `campaign`

    def _failed(self, exc: Exception) -> None:
        self._health = Health(
            State.RETRYING, datetime.now(UTC), f"cannot reach the store: {type(exc).__name__}"
        )


async def _until(reader: Connector, watch: asyncio.Future[None]) -> AsyncIterator[InboundMessage]:
    """The reader's messages, until it ends or `watch` is done (the lead was lost)."""
    items = aiter(reader)
    following: asyncio.Future[InboundMessage] | None = None
    try:
        while True:
            following = asyncio.ensure_future(anext(items))
            racing: set[asyncio.Future[Any]] = {following, watch}
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                return
            try:
                message = following.result()
            except StopAsyncIteration:
                return
            following = None
            yield message
    finally:
        if following is not None:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
