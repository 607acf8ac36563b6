from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from bot.settings import Settings
from tests.conftest import IN_CI, running_service

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture
async def service(migrated: Settings) -> AsyncIterator[str]:
    """The running service's base URL (http://127.0.0.1:PORT)."""
    async with running_service(migrated) as url:
        yield url.rstrip("/")


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (never `playwright install`); skipped when missing, except in CI where
    it must be installed (scripts/system-deps.sh)."""
    found = shutil.which("chromium") or (CHROMIUM if shutil.which(CHROMIUM) else None)
    if found is None:
        message = (
            "Chromium is missing: run scripts/system-deps.sh as root (apt-get install chromium)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, for the tests of one module function."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=ARGS
        )
        yield launched
        await launched.close()
