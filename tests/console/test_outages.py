"""Outages from the console, against the running service: declare, update and resolve through
the registry (the broadcast rows in the outbox, the status page), a ticket linked and unlinked
from its page, the refusals (no CSRF token, another team's outage, bad dates shown on the form
in the agent's language, signed out), and the declaration in real Chromium."""

from __future__ import annotations

import html
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, expect
from sqlmodel import col, select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Outage, Outbox, Role, Ticket
from bot.tickets import Language, Status
from tests.console.helpers import (
    CSRF,
    PASSWORD,
    account,
    events,
    mail_ticket,
    sign_in,
    signed_in_page,
)

LIST = "/console/outages"
DECLARATION = {
    "title_fr": "Courriel indisponible",
    "title_en": "Email unavailable",
    "text_fr": "Outlook ne se connecte plus.",
    "text_en": "Outlook cannot connect.",
    "services": "Outlook, Teams",
    "organisations": "msss",
    "team": "collaboration",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shared test settings, with a mailing list for outage broadcasts."""
    return Settings(
        data_dir=tmp_path / "var",
        http_port=0,
        inbox_poll_seconds=0.05,
        mail_from="csc@itq.example",
        mail_domain="guichet.example",
        outbox_retry_base_seconds=0.2,
        outbox_retry_max_seconds=0.5,
        send_cap_per_recipient_per_hour=10_000,
        outage_mail_lists=["annonces@itq.example"],
    )


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # the service listens on 127.0.0.1


async def token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as page:
        assert page.status == 200
        found = CSRF.search(await page.text())
    assert found is not None
    return found.group(1)


async def post(http: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str, str]:
    """(status, Location, page text) of a form's POST, not following the redirect."""
    async with http.post(url, data=data, allow_redirects=False) as answer:
        return answer.status, answer.headers.get("Location", ""), await answer.text()


async def broadcast_keys(store: Sessions, number: str) -> list[str]:
    async with store() as session:
        rows = await session.exec(
            select(Outbox.key).where(col(Outbox.key).startswith(f"outage:{number}:"))
        )
        return sorted(str(k) for k in rows.all())


async def status_page(http: aiohttp.ClientSession, base: str) -> dict[str, object]:
    async with http.get(f"{base}/status.json") as answer:
        assert answer.status == 200
        body: dict[str, object] = await answer.json()
        return body


def numbers(status: dict[str, object], section: str) -> list[str]:
    listed = status[section]
    assert isinstance(listed, list)
    return [str(o["number"]) for o in listed]


async def stored_ticket(store: Sessions, number: str) -> Ticket:
    async with store() as session:
        return (await session.exec(select(Ticket).where(Ticket.number == number))).one()


async def test_a_lead_declares_links_updates_and_resolves_an_outage(
    service: str, migrated: Settings, store: Sessions
) -> None:
    ticket = await mail_ticket(migrated, store)
    number = str(ticket.number)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/") as queue:
            assert f'href="{LIST}"' in await queue.text()  # the header's link
        csrf = await token(http, f"{service}{LIST}")
        status, location, _ = await post(http, f"{service}{LIST}", {"csrf": csrf, **DECLARATION})
        assert (status, location) == (303, f"{LIST}/PANNE-0001")
        assert await broadcast_keys(store, "PANNE-0001") == [
            "outage:PANNE-0001:1:mail:annonces@itq.example"
        ]
        assert numbers(await status_page(http, service), "active") == ["PANNE-0001"]
        async with store() as session:
            outage = (await session.exec(select(Outage))).one()
        assert outage.declared_by == f"console:{lead}" and outage.organisations == ["msss"]
        assert outage.services == ["Outlook", "Teams"] and outage.team == "collaboration"
        async with http.get(f"{service}{LIST}") as listing:
            text = await listing.text()
        assert "PANNE-0001" in text and "Courriel indisponible" in text

        link = f"{service}/console/tickets/{number}/outage"
        assert (await post(http, link, {"csrf": csrf, "outage": "panne-1"}))[0] == 303
        linked = await stored_ticket(store, number)
        assert linked.outage_id == outage.id and linked.status == Status.LINKED
        logged = [(e.type, e.actor, e.data) for e in await events(store, number)]
        assert ("outage_linked", f"console:{lead}", {"outage": "PANNE-0001"}) in logged
        async with http.get(f"{service}{LIST}/PANNE-0001") as page:
            assert f'href="/console/tickets/{number}"' in await page.text()
        async with http.get(f"{service}/console/tickets/{number}") as page:
            assert f'href="{LIST}/{outage.id}"' in await page.text()  # the ticket's outage
        async with http.get(f"{service}{LIST}/{outage.id}") as page:
            assert page.status == 200 and "PANNE-0001" in await page.text()
        assert (await post(http, link, {"csrf": csrf, "outage": ""}))[0] == 303
        unlinked = await stored_ticket(store, number)
        assert unlinked.outage_id is None and unlinked.status == Status.OPEN
        assert (await post(http, link, {"csrf": csrf, "outage": "PANNE-0001"}))[0] == 303
        refused = await post(http, link, {"csrf": csrf, "outage": "PANNE-0099"})
        assert refused[0] == 400 and "PANNE-0099" in html.unescape(refused[2])

        update = {"csrf": csrf, "text_fr": "Cause trouvée.", "text_en": "Cause found."}
        status, location, _ = await post(http, f"{service}{LIST}/PANNE-0001/update", update)
        assert (status, location) == (303, f"{LIST}/PANNE-0001")
        assert len(await broadcast_keys(store, "PANNE-0001")) == 2
        resolve = {"csrf": csrf, "text_fr": "", "text_en": ""}
        assert (await post(http, f"{service}{LIST}/PANNE-0001/resolve", resolve))[0] == 303
        keys = await broadcast_keys(store, "PANNE-0001")
        assert "outage:PANNE-0001:3:mail:annonces@itq.example" in keys
        assert f"outage:PANNE-0001:resolved:{number}" in keys  # the linked requester, once
        after = await status_page(http, service)
        assert numbers(after, "active") == [] and numbers(after, "resolved") == ["PANNE-0001"]
        assert (await stored_ticket(store, number)).status == Status.RESOLVED
        again = await post(http, f"{service}{LIST}/PANNE-0001/resolve", resolve)
        assert again[0] == 400 and "déjà résolue" in html.unescape(again[2])


async def test_refusals_no_token_another_team_bad_dates_and_signed_out(
    service: str, store: Sessions
) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    agent = await account(store, "max@itq.example", teams=("network",), language=Language.EN)
    async with aiohttp.ClientSession(cookie_jar=jar()) as visitor:
        async with visitor.get(f"{service}{LIST}", allow_redirects=False) as away:
            assert away.status == 303 and away.headers["Location"] == "/console/login"
        status, location, _ = await post(visitor, f"{service}{LIST}", DECLARATION)
        assert (status, location) == (303, "/console/login")
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        assert (await post(http, f"{service}{LIST}", DECLARATION))[0] == 403  # no CSRF token
        csrf = await token(http, f"{service}{LIST}")
        late = {"csrf": csrf, **DECLARATION, "starts_at": "2026-01-05T10:00"}
        status, _, page = await post(
            http, f"{service}{LIST}", {**late, "expected_end": "2026-01-05T09:00"}
        )
        text = html.unescape(page)
        assert status == 400 and "Fin prévue : la fin prévue doit venir après le début" in text
        assert 'value="Courriel indisponible"' in text and "Outlook ne se connecte plus." in text
        assert 'value="msss" checked' in text  # what was typed is kept
        status, _, page = await post(http, f"{service}{LIST}", {**late, "starts_at": "mardi"})
        assert status == 400 and "Début : ce n'est pas une date" in html.unescape(page)
        assert (await post(http, f"{service}{LIST}", {"csrf": csrf, **DECLARATION}))[0] == 303
        planned = {"csrf": csrf, **DECLARATION, "planned": "1", "starts_at": "2030-01-05T20:00"}
        assert (await post(http, f"{service}{LIST}", planned))[0] == 303
        assert numbers(await status_page(http, service), "planned") == ["PANNE-0002"]
        assert await broadcast_keys(store, "PANNE-0002") == []  # announced at its lead time
    async with store() as session:
        assert len((await session.exec(select(Outage))).all()) == 2
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, agent, PASSWORD) == 303
        csrf = await token(http, f"{service}{LIST}/PANNE-0001")
        update = {"csrf": csrf, "text_fr": "Non.", "text_en": "No."}
        status, _, page = await post(http, f"{service}{LIST}/PANNE-0001/update", update)
        assert status == 403 and "belongs to a team that is not yours" in html.unescape(page)
        assert (await post(http, f"{service}{LIST}/PANNE-0001/resolve", {"csrf": csrf}))[0] == 403
        status, _, page = await post(
            http, f"{service}{LIST}", {"csrf": csrf, **DECLARATION, "expected_end": "x"}
        )
        assert status == 400 and "Expected end: this is not a date" in html.unescape(page)
        assert (await post(http, f"{service}{LIST}", {"csrf": csrf, **DECLARATION}))[0] == 403
        own = {"csrf": csrf, **DECLARATION, "team": "network", "organisations": ""}
        assert (await post(http, f"{service}{LIST}", own)) == (303, f"{LIST}/PANNE-0003", "")
    assert len(await broadcast_keys(store, "PANNE-0001")) == 1  # the declaration only


@pytest.mark.slow
async def test_an_agent_declares_an_outage_in_chromium_and_sees_it_listed(
    service: str, store: Sessions, browser: Browser
) -> None:
    email = await account(store, "lea@itq.example")
    page = await signed_in_page(browser, service, email)
    await page.get_by_role("link", name="Pannes").click()
    await expect(page).to_have_url(f"{service}{LIST}")
    await page.get_by_label("Titre en français").fill("Réseau lent à Québec")
    await page.get_by_label("Titre en anglais").fill("Slow network in Québec")
    await page.get_by_label("Texte en français").fill("Les accès sont lents.")
    await page.get_by_label("Texte en anglais").fill("Access is slow.")
    await page.get_by_label("Services touchés").fill("VPN")
    await page.get_by_label("Équipe").select_option("network")
    await page.locator("#do-declare").click()
    await expect(page).to_have_url(f"{service}{LIST}/PANNE-0001")
    await expect(page.locator("#outage-status")).to_have_text("en cours")
    await page.get_by_role("link", name="Toutes les pannes").click()
    row = page.locator("#outages-active tr", has_text="PANNE-0001")
    await expect(row).to_contain_text("Réseau lent à Québec")
    await expect(row).to_contain_text("VPN")
