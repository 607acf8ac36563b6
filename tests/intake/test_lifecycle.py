"""`wait_set`: the service's loops wait on an event or a few seconds, and always stop when told."""

from __future__ import annotations

import asyncio
import contextlib

from intake.lifecycle import wait_set


async def test_it_says_whether_the_event_was_set() -> None:
    event = asyncio.Event()
    assert await wait_set(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_set(event, 5) is True


async def test_a_stop_that_arrives_as_the_event_is_set_stops_the_loop() -> None:
    """On Python 3.11, `asyncio.wait_for(event.wait(), …)` swallowed this cancellation and the
    loop waited again for ever (a service that hung at its stop, found under load)."""
    event = asyncio.Event()
    rounds = 0

    async def loop() -> None:
        nonlocal rounds
        while True:
            await wait_set(event, 10)
            event.clear()
            rounds += 1

    task = asyncio.create_task(loop())
    await asyncio.sleep(0.01)  # the loop is waiting
    event.set()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    if not done:  # do not leave it running for the rest of the suite
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert done and task.cancelled()
    assert rounds == 0
