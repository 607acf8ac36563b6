"""What every connector shares: `async with connector:` starts it and always stops it."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self


async def wait_set(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` have passed; True when it was set.

    For the loops that wake on an event or else every few seconds (the dispatcher, the outbox,
    the watchers, the folder reader). `asyncio.wait_for(event.wait(), seconds)` must not be
    used there: on Python 3.11 it swallows a cancellation that arrives as the event is set
    (CPython gh-86296), and the loop, waiting again, never stops: a service hung at its stop,
    found by the test suite under load. `asyncio.timeout` tells the two apart."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


class Lifecycle:
    """Base of the connectors; subclasses define `start()` and an idempotent `stop()`."""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
