"""Another process for the bench's own traffic (the mail a storm drops or appends), so that it
runs on neither the service's event loop nor its interpreter lock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


@contextlib.asynccontextmanager
async def other_process() -> AsyncIterator[ProcessPoolExecutor]:
    """One spawned worker process, shut down off the event loop: `with ProcessPoolExecutor()`
    joins it on the loop, which stalled the service measured there for 0.4–0.6 s in the middle
    of its storm."""
    pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
    try:
        yield pool
    finally:
        await asyncio.to_thread(pool.shutdown)
