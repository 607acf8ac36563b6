"""Two services on one PostgreSQL database: each periodic watcher (service levels, planned
outages, webhooks, self-service expiry) runs in the one worker that holds its advisory lock;
when that worker stops, the other takes every watcher over."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.store.election import lock_key
from tests.conftest import eventually, running_service
from tests.servers.postgres import Postgres

WATCHERS = ("watcher:sla", "watcher:outages", "watcher:webhooks", "watcher:selfservice")


def holders(postgres: Postgres, url: str) -> dict[str, set[int]]:
    """The backend pids holding each watcher's advisory lock in the test's database."""
    database = url.rsplit("/", 1)[1]
    rows = postgres.sql(
        "SELECT ((classid::bigint << 32) | objid::bigint), pid FROM pg_locks "
        "WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = "
        f"(SELECT oid FROM pg_database WHERE datname = '{database}')"
    )
    by_key: dict[int, set[int]] = {}
    for line in rows.splitlines():
        key, pid = line.split("|")
        by_key.setdefault(int(key), set()).add(int(pid))
    return {job: by_key.get(lock_key(job), set()) for job in WATCHERS}


def worker_settings(root: Path) -> Settings:
    return Settings(
        data_dir=root / "var", http_port=0, inbox_poll_seconds=0.05,
        mail_from="csc@itq.example", mail_domain="guichet.example",
    )  # fmt: skip


async def test_each_watcher_is_led_and_moves_to_the_other_worker_when_its_leader_stops(
    tmp_path: Path, postgres: Postgres, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUICHET_DATABASE_URL", postgres_url)

    def all_led() -> bool:
        return all(len(pids) == 1 for pids in holders(postgres, postgres_url).values())

    async with contextlib.AsyncExitStack() as second:
        async with running_service(worker_settings(tmp_path / "first")):
            await eventually(all_led)
            await second.enter_async_context(running_service(worker_settings(tmp_path / "b")))
            assert all_led()  # one holder each, whichever worker it is
        # The first worker stopped and let its locks go: the second leads them all.
        await eventually(all_led)
