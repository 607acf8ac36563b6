"""A small demo history in a real migrated store, shared by the report tests."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime

import pytest

from bot.demo.command import plan_history, write_history
from bot.organisations import load_directory
from bot.settings import Settings
from bot.sla.policy import default_policy
from bot.store.db import create_engine
from tests.conftest import IN_CI

UNTIL = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # Friday 17:00 in Montréal


def fill(settings: Settings, *, per_month: int = 150, months: int = 2, seed: int = 1) -> int:
    tickets = plan_history(
        load_directory(settings.organisations_file),
        default_policy(),
        seed=seed,
        months=months,
        per_month=per_month,
        until=UNTIL,
    )

    async def write() -> int:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            return await write_history(engine, tickets)
        finally:
            await engine.dispose()

    return asyncio.run(write())


@pytest.fixture
def demo(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a store holding two months of demo history; the CLI handlers see it too."""
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", migrated.mail_domain)
    fill(migrated)
    return migrated


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; skipped when missing, except in CI where it must be installed."""
    found = shutil.which("chromium")
    if found is None:
        message = (
            "Chromium is missing: run scripts/system-deps.sh as root (apt-get install chromium)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found
