from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.app import serve
from bot.settings import Settings
from bot.store.db import Sessions, create_engine, migrate, sessions
from tests.servers.postgres import postgres, postgres_template, postgres_url  # noqa: F401
from tests.servers.smtp import SmtpServer, run_smtp_server

T = TypeVar("T")

IN_CI = os.environ.get("CI") == "true" or os.environ.get("GUICHET_REQUIRE_SERVERS") == "1"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        http_port=0,
        inbox_poll_seconds=0.05,
        mail_from="csc@itq.example",
        mail_domain="guichet.example",
        outbox_retry_base_seconds=0.2,
        outbox_retry_max_seconds=0.5,
        # many test messages share one sender; the loop guard has its own tests
        send_cap_per_recipient_per_hour=10_000,
        # the model loads once per test process (tests/test_triage_process.py has the child)
        triage_worker="thread",
    )


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    """Settings whose database exists at the newest schema (migrated outside the event loop)."""
    migrate(settings.sqlalchemy_url)
    return settings


@pytest.fixture
async def store(migrated: Settings) -> AsyncIterator[Sessions]:
    engine = create_engine(migrated.sqlalchemy_url)
    yield sessions(engine)
    await engine.dispose()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from run_smtp_server()


async def eventually(
    probe: Callable[[], T] | Callable[[], Awaitable[T]], *, timeout: float = 20.0
) -> T:
    """Wait until `probe()` returns something truthy; generous by design (speed is benched).
    An awaitable probe is bounded by what is left of `timeout` too: a probe that hangs (an HTTP
    call with the client's five-minute default, say) fails the test, not the whole run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value: Any = probe()
        if asyncio.iscoroutine(value):
            try:
                value = await asyncio.wait_for(value, max(1.0, deadline - loop.time()))
            except TimeoutError:
                raise AssertionError(f"probe still waiting after {timeout}s: {probe}") from None
        if value:
            return value  # type: ignore[no-any-return]
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {probe}")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running_service(settings: Settings) -> AsyncIterator[str]:
    """The real service (`serve`) in this event loop; yields its base URL, stops it on exit."""
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(settings, on_ready=ready.append, stop=stop))
    await eventually(lambda: ready or task.done())
    if task.done():
        task.result()
    try:
        yield ready[0].split()[4]
    finally:
        stop.set()
        await _stopped(task, 20)


async def _stopped(task: asyncio.Task[None], grace: float) -> None:
    """The service's task, ended within `grace` of its stop. One that is still running fails the
    test with where each task waits, and is cancelled (bounded too): a stop that hangs fails
    its test, it does not hold the whole run until CI's limit."""
    done, _ = await asyncio.wait({task}, timeout=grace)
    if done:
        task.result()
        return
    where = io.StringIO()
    for each in asyncio.all_tasks():
        if each is not asyncio.current_task() and not each.done():
            each.print_stack(limit=6, file=where)
    task.cancel()
    await asyncio.wait({task}, timeout=10)
    raise AssertionError(f"the service did not stop within {grace}s:\n{where.getvalue()}")
