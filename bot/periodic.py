"""The loop of the periodic watchers (service levels, planned outages, self-service answers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import OperationalError

from bot.store.unavailable import Unavailable
from intake.lifecycle import wait_set


async def every(
    step: Callable[[], Awaitable[int]],
    *,
    name: str,
    log: logging.Logger,
    interval: float,
    wake: asyncio.Event | None = None,
    next_wait: Callable[[], Awaitable[float]] | None = None,
) -> None:
    """Run `step` forever: every `interval` seconds (or sooner, as `next_wait` says), and at
    once when `wake` is set. A failing pass (store down, bug) is logged and tried again later;
    a pass that did something says how much."""
    wake = wake or asyncio.Event()
    down = Unavailable(log, f"watcher ({name})")
    while True:
        wake.clear()
        try:
            done = await step()
            down.working()
            if done:
                log.info("%s: %d done", name, done)
        except OperationalError as exc:  # the store is down: said once, not at every pass
            down.failed(exc, f"every {interval:g}s")
        except Exception:
            log.exception("%s failed; trying again in %ss", name, interval)
        wait = interval
        if next_wait is not None:
            with contextlib.suppress(Exception):  # the store is down: the plain interval
                wait = await next_wait()
        await wait_set(wake, wait)
