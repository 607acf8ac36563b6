"""Two services on one PostgreSQL database: each periodic watcher (service levels, planned
outages, webhooks, self-service expiry) runs in the one worker that holds its advisory lock;
when that worker stops, the other takes every watcher over. A planned interruption declared
through the worker that does not run the outage watcher is still announced at once."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from bot.store.election import lock_key
from tests.conftest import eventually, running_service
from tests.servers.postgres import Postgres
from tests.servers.smtp import SmtpServer

TOKEN = "agent-token-for-tests"
LIST = "tous@itq.example"
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


def worker_settings(root: Path, **more: Any) -> Settings:
    return Settings(
        data_dir=root / "var", http_port=0, inbox_poll_seconds=0.05,
        mail_from="csc@itq.example", mail_domain="guichet.example", **more,
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


async def test_a_planned_interruption_declared_in_the_other_worker_is_announced_at_once(
    tmp_path: Path,
    postgres: Postgres,
    postgres_url: str,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The outage watcher, in the first worker, sleeps a minute between passes; the outage
    written by the second worker wakes it (the trigger's notification, `bot.store.wakeups`)."""
    monkeypatch.setenv("GUICHET_DATABASE_URL", postgres_url)
    extra = {
        "outage_mail_lists": [LIST],
        "outage_api_tokens": [SecretStr(TOKEN)],
        "smtp_host": smtp_server.host,
        "smtp_port": smtp_server.port,
    }
    starts = datetime.now(UTC) + timedelta(hours=1)  # inside the lead time: announced now
    body = {
        "kind": "planned",
        "title_fr": "Maintenance du serveur de fichiers",
        "title_en": "File server maintenance",
        "text_fr": "Le serveur de fichiers sera indisponible pendant la maintenance.",
        "text_en": "The file server will be unavailable during maintenance.",
        "starts_at": starts.isoformat(),
        "expected_end": (starts + timedelta(hours=2)).isoformat(),
        "services": ["serveur de fichiers"],
    }
    async with running_service(worker_settings(tmp_path / "leader", **extra)):
        await eventually(lambda: holders(postgres, postgres_url)["watcher:outages"])
        async with (
            running_service(worker_settings(tmp_path / "other", **extra)) as other,
            aiohttp.ClientSession() as http,
            http.post(
                other + "api/outages", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
            ) as response,
        ):
            assert response.status == 201, await response.text()
            [mail] = await eventually(lambda: smtp_server.handler.messages())
    assert LIST in mail["To"] and "Maintenance du serveur de fichiers" in mail.get_content()
