"""The queue's live refresh over HTTP: `/console/events` (server-sent events) needs a session,
says `queue` when a ticket arrives, caps the streams a session may hold open, and ends when the
service stops; `/console/static/queue.js` is served as a cacheable script."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from playwright.async_api import Browser, expect

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Role
from tests.api.helpers import ticket as stored_ticket
from tests.conftest import running_service
from tests.console.helpers import PASSWORD, account, mail_ticket, sign_in, signed_in_page

READ = 10.0
"""Seconds to wait for one line of the stream (it checks the store every 2 s)."""


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # the service listens on 127.0.0.1


async def next_event(stream: aiohttp.ClientResponse) -> str:
    """The name of the next event on the stream (comments and blank lines skipped)."""
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), READ)).decode()
        assert line, "the stream ended"
        if line.startswith("event:"):
            return line.removeprefix("event:").strip()


async def test_signed_out_the_stream_sends_to_the_sign_in_page(service: str) -> None:
    async with (
        aiohttp.ClientSession(cookie_jar=jar()) as http,
        http.get(f"{service}/console/events", allow_redirects=False) as answer,
    ):
        assert answer.status == 303
        assert answer.headers["Location"] == "/console/login"


async def test_a_new_ticket_is_announced_on_the_stream(service: str, store: Sessions) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/events") as stream:
            assert stream.status == 200
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            assert stream.headers["Cache-Control"] == "no-store"
            assert stream.headers["X-Content-Type-Options"] == "nosniff"
            first = await asyncio.wait_for(stream.content.readline(), READ)
            assert first.startswith(b"retry:")  # the stream is open and has read the store
            await stored_ticket(store, "Imprimante en feu")
            assert await next_event(stream) == "queue"


async def test_a_session_holds_at_most_three_streams(service: str, store: Sessions) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        opened = [await http.get(f"{service}/console/events") for _ in range(3)]
        try:
            assert [s.status for s in opened] == [200, 200, 200]
            async with http.get(f"{service}/console/events") as fourth:
                assert fourth.status == 429
                assert fourth.headers["Retry-After"]
            opened.pop().close()  # one goes away: its place is free again

            statuses = []
            for _ in range(20):  # the server sees the close within a tick (2 s)
                async with http.get(f"{service}/console/events") as again:
                    statuses.append(again.status)
                if statuses[-1] == 200:
                    break
                await asyncio.sleep(0.5)
            assert statuses[-1] == 200 and set(statuses) <= {200, 429}
        finally:
            for stream in opened:
                stream.close()


async def test_an_open_stream_does_not_hold_the_service_when_it_stops(
    migrated: Settings, store: Sessions
) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        loop = asyncio.get_running_loop()
        service = running_service(migrated)
        base = (await service.__aenter__()).rstrip("/")
        stream: aiohttp.ClientResponse | None = None
        try:
            assert await sign_in(http, base, lead, PASSWORD) == 303
            stream = await http.get(f"{base}/console/events")
            assert stream.status == 200
            await asyncio.wait_for(stream.content.readline(), READ)
        finally:
            started = loop.time()
            await service.__aexit__(None, None, None)
            stopped = loop.time() - started
            if stream is not None:
                stream.close()
        assert stopped < 8, f"the service took {stopped:.1f} s to stop with a stream open"


async def test_the_script_is_served_as_a_cacheable_script(service: str) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{service}/console/static/queue.js") as answer,
    ):
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/javascript")
        assert "max-age=" in answer.headers["Cache-Control"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "EventSource" in await answer.text()


@pytest.mark.slow
async def test_a_mailed_ticket_appears_in_the_open_queue_without_a_reload(
    service: str, migrated: Settings, store: Sessions, browser: Browser
) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    page = await signed_in_page(browser, service, lead)
    await page.get_by_label("Statut").select_option("open")  # chosen, not applied: it stays
    await expect(page.locator("#queue-rows")).to_contain_text("Aucun")
    await page.evaluate("window.stayed = 'same page'")
    ticket = await mail_ticket(migrated, store)
    link = page.get_by_role("link", name=str(ticket.number))
    await expect(link).to_be_visible(timeout=15_000)
    assert await page.evaluate("window.stayed") == "same page"
    navigations = await page.evaluate("performance.getEntriesByType('navigation').length")
    assert navigations == 1
    assert page.url == f"{service}/console/"
    await expect(page.get_by_label("Statut")).to_have_value("open")
