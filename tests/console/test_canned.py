"""Canned responses over HTTP: leads write them in both languages, agents read and use them;
used on a ticket, the reply box holds the text in the ticket's language, filled in."""

from __future__ import annotations

import html
import re

import aiohttp
from sqlmodel import select

from bot.store.db import Sessions
from bot.store.models import CannedResponse, Role, Ticket
from bot.tickets import Language
from tests.api.helpers import NOW
from tests.api.helpers import ticket as stored_ticket
from tests.console.helpers import CSRF, PASSWORD, account, sign_in

REPLY_BOX = re.compile(r'<textarea id="reply" name="value" required>(.*?)</textarea>', re.S)


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)


async def csrf_of(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as page:
        assert page.status == 200
        token = CSRF.search(await page.text())
    assert token is not None
    return token.group(1)


async def post(http: aiohttp.ClientSession, url: str, **data: str) -> tuple[int, str]:
    async with http.post(url, data=data, allow_redirects=False) as answer:
        return answer.status, await answer.text()


async def stored(store: Sessions) -> list[CannedResponse]:
    async with store() as session:
        return list((await session.exec(select(CannedResponse))).all())


async def test_a_lead_writes_responses_in_both_languages_and_an_agent_uses_one(
    service: str, store: Sessions
) -> None:
    number = await stored_ticket(store, "Mot de passe expiré")  # French, from « Personne »
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    agent = await account(store, "lea@itq.example", Role.AGENT)
    library = f"{service}/console/canned"
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        token = await csrf_of(http, library)
        status, page = await post(
            http, library, csrf=token, title="Mot de passe", body_fr="Bonjour $name, voir ${__class__}.", body_en=""
        )  # fmt: skip
        assert status == 400 and "dans les deux langues" in page
        assert "Bonjour $name, voir ${__class__}." in html.unescape(page)  # the form kept it
        assert await stored(store) == []
        status, _ = await post(
            http, library, csrf=token, title="Mot de passe",
            body_fr="Bonjour $name, votre billet $number : réinitialisez-le. ${__class__} — $agent",
            body_en="Hello $name, ticket $number: reset it. — $agent",
        )  # fmt: skip
        assert status == 303
        status, page = await post(
            http, library, csrf=token, title="Mot de passe", body_fr="x", body_en="y"
        )
        assert status == 409 and "porte déjà ce titre" in page
        status, _ = await post(http, library, title="Sans jeton", body_fr="x", body_en="y")
        assert status == 403
        [made] = await stored(store)

    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, agent, PASSWORD) == 303
        async with http.get(library) as page:
            text = await page.text()
        assert "Mot de passe" in text and 'action="/console/canned"' not in text  # read only
        token = CSRF.search(text)
        assert token is not None
        status, page = await post(
            http, f"{library}/{made.id}", csrf=token.group(1), title="Pirate", body_fr="x", body_en="y"
        )  # fmt: skip
        assert status == 403 and "chefs d'équipe" in html.unescape(page)
        async with http.get(
            f"{service}/console/tickets/{number}", params={"canned": str(made.id)}
        ) as page:
            box = REPLY_BOX.search(await page.text())
        assert box is not None
        assert html.unescape(box.group(1)) == (
            f"Bonjour Personne, votre billet {number} : réinitialisez-le. ${{__class__}} — Lea"
        )
        for hostile in ("999", "-1", "x" * 50, "1e3"):
            async with http.get(
                f"{service}/console/tickets/{number}", params={"canned": hostile}
            ) as page:
                assert page.status == 200
                box = REPLY_BOX.search(await page.text())
                assert box is not None and box.group(1) == ""


async def test_an_english_ticket_gets_the_english_text_and_leads_edit_and_delete(
    service: str, store: Sessions
) -> None:
    number = await stored_ticket(store, "Password expired")
    async with store() as session:
        made = CannedResponse(
            title="Reset", body_fr="Bonjour $name", body_en="Hello $name, $number",
            updated_by="tests", updated_at=NOW,
        )  # fmt: skip
        session.add(made)
        await session.commit()
    lead = await account(store, "max@itq.example", Role.LEAD, language=Language.EN)
    library = f"{service}/console/canned"
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        await _english(store, number)
        async with http.get(
            f"{service}/console/tickets/{number}", params={"canned": str(made.id)}
        ) as page:
            box = REPLY_BOX.search(await page.text())
        assert box is not None and html.unescape(box.group(1)) == f"Hello Personne, {number}"
        token = await csrf_of(http, library)
        status, _ = await post(
            http, f"{library}/{made.id}", csrf=token, title="Reset", body_fr="Salut", body_en="Hi"
        )
        assert status == 303
        [changed] = await stored(store)
        assert (changed.body_fr, changed.body_en) == ("Salut", "Hi")
        assert changed.updated_by == "console:max@itq.example"
        status, page = await post(
            http, f"{library}/{made.id}", csrf=token, title="", body_fr="a", body_en="b"
        )
        assert status == 400 and "title is required" in page
        status, _ = await post(http, f"{library}/{made.id}/delete", csrf=token)
        assert status == 303 and await stored(store) == []
        status, _ = await post(http, f"{library}/{made.id}/delete", csrf=token)
        assert status == 404


async def _english(store: Sessions, number: str) -> None:
    """The ticket came in English."""
    async with store() as session:
        found = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        found.language = Language.EN
        await session.commit()
