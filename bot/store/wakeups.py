"""Wake-ups that cross workers: a periodic watcher runs in one worker only (`bot.leading`), but
what it should look at at once (a planned interruption declared in the console or the API) may
be written by any worker. On PostgreSQL the store itself says so: a trigger on the table
notifies a channel (`pg_notify`, delivered at commit; migration 0016 for `outage`), and every
worker listens on its own connection and wakes its watcher (only the leader's is running). On
SQLite, one process, the writer wakes the watcher directly, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.election import CHECK_TIMEOUT
from bot.store.unavailable import Unavailable

log = logging.getLogger(__name__)

OUTAGES = "guichet_outages"
"""Notified when an outage is declared or changed (the trigger of migration 0016)."""


class Wakeups(Protocol):
    """The port: `PostgresWakeups` listens to the store, `SoleWakeups` has nothing to do."""

    async def run(self, channel: str, wake: Callable[[], None]) -> None:
        """Call `wake` whenever the store notifies `channel`, until cancelled; once more each
        time listening (re)starts, for what changed while nobody listened."""


class PostgresWakeups:
    def __init__(self, url: str, *, check_seconds: float = 5.0, retry_seconds: float = 3.0):
        self._url = url
        self._check_seconds = check_seconds
        self._retry_seconds = retry_seconds

    async def run(self, channel: str, wake: Callable[[], None]) -> None:
        # Its own connection, never pooled: LISTEN belongs to the session.
        engine = create_async_engine(
            self._url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": {"application_name": "guichet-listen"}},
        )
        down = Unavailable(log, f"listening to {channel}")
        try:
            while True:
                try:
                    await self._listen(engine, channel, wake, down)
                except Exception as exc:  # the store is down: listen again when it is back
                    down.failed(exc, f"every {self._retry_seconds:g}s")
                await asyncio.sleep(self._retry_seconds)
        finally:
            await engine.dispose()

    async def _listen(
        self, engine: AsyncEngine, channel: str, wake: Callable[[], None], down: Unavailable
    ) -> None:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection  # asyncpg's: LISTEN with a callback

            def notified(*_args: object) -> None:  # (connection, pid, channel, payload)
                wake()

            await driver.add_listener(channel, notified)
            down.working()
            wake()
            while True:  # a dead connection hears nothing: notice it, and listen again
                await asyncio.sleep(self._check_seconds)
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await connection.execute(text("SELECT 1"))


class SoleWakeups:
    """One process: whoever writes wakes the watcher itself."""

    async def run(self, channel: str, wake: Callable[[], None]) -> None:
        await asyncio.Event().wait()


def wakeups_for(url: str) -> Wakeups:
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresWakeups(url)
    return SoleWakeups()
