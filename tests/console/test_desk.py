"""The desk over HTTP: the attachment's headers, CSRF on the ticket's actions, a refused rule
in the agent's language, the queue's filters and order, and the evidence marked after
escaping; every template asks only for messages that exist."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import aiohttp
from sqlmodel import select

from bot.console.desk import disposition
from bot.console.highlight import marked
from bot.messages import catalogue
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Attachment, Role, Ticket
from bot.tickets import Language, Status
from tests.api.helpers import ticket as stored_ticket
from tests.conftest import eventually
from tests.console.helpers import CSRF, PASSWORD, account, events, mail_ticket, sign_in
from tests.mail import drop, make_email

TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "templates" / "console"


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # the service listens on 127.0.0.1


async def test_an_attachment_is_served_as_a_download_only(
    service: str, migrated: Settings, store: Sessions
) -> None:
    raw = message_from_bytes(make_email(), policy=policy.default)
    assert isinstance(raw, EmailMessage)
    raw.add_attachment(b"<b>x</b>", maintype="text", subtype="html", filename="résumé <b>.html")
    await mail_ticket(migrated, store, raw.as_bytes())
    async with store() as session:
        [found] = (await session.exec(select(Attachment))).all()
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/attachments/{found.id}") as answer:
            assert answer.status == 200 and await answer.read() == b"<b>x</b>"
            assert answer.headers["Content-Type"] == "application/octet-stream"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["X-Frame-Options"] == "DENY"
            assert answer.headers["Content-Disposition"] == (
                "attachment; filename=\"r_sum___b_.html\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%3Cb%3E.html"
            )
        async with http.get(f"{service}/console/attachments/99999") as missing:
            assert missing.status == 404


def test_the_disposition_never_lets_a_name_break_out() -> None:
    header = disposition('a";\r\nX: y.html')
    assert header.startswith("attachment; ") and "\r" not in header and "\n" not in header
    assert header.count('"') == 2


async def test_a_ticket_action_without_its_csrf_token_is_refused(
    service: str, migrated: Settings, store: Sessions
) -> None:
    ticket = await mail_ticket(migrated, store)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        url = f"{service}/console/tickets/{ticket.number}/note"
        async with http.post(url, data={"value": "sans jeton"}, allow_redirects=False) as answer:
            assert answer.status == 403
        assert not [e for e in await events(store, str(ticket.number)) if e.type == "note_added"]
        async with http.get(f"{service}/console/tickets/{ticket.number}") as page:
            token = CSRF.search(await page.text())
        assert token is not None
        async with http.post(
            url, data={"csrf": token.group(1), "value": "avec jeton"}, allow_redirects=False
        ) as answer:
            assert answer.status == 303
            assert answer.headers["Location"] == f"/console/tickets/{ticket.number}"


async def test_a_refused_rule_is_said_in_the_agents_language(service: str, store: Sessions) -> None:
    number = await stored_ticket(store, "Fermé", status=Status.CLOSED)
    agent = await account(store, "max@itq.example", Role.LEAD, language=Language.EN)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, agent, PASSWORD) == 303
        async with http.get(f"{service}/console/tickets/{number}") as page:
            token = CSRF.search(await page.text())
        assert token is not None
        async with http.post(
            f"{service}/console/tickets/{number}/status",
            data={"csrf": token.group(1), "value": "resolved"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 409
            assert f"{number}: cannot go from closed to resolved" in await answer.text()


async def test_the_queue_puts_to_confirm_first_and_filters(service: str, store: Sessions) -> None:
    old = await stored_ticket(
        store, "Ancien à confirmer", status=Status.NEW, to_confirm=True, age=timedelta(days=2)
    )
    new = await stored_ticket(store, "Imprimante neuve")
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/") as page:
            text = await page.text()
        assert text.index(old) < text.index(new) and "À confirmer" in text
        async with http.get(f"{service}/console/", params={"status": "open", "team": ""}) as page:
            text = await page.text()
        assert new in text and old not in text
        async with http.get(f"{service}/console/", params={"status": "nonsense"}) as page:
            assert page.status == 400


def test_evidence_is_marked_after_escaping() -> None:
    shown = marked("Le <b>serveur</b> est EN PANNE, en panne!", ["en panne", "<b>"])
    assert str(shown) == (
        "Le <mark>&lt;b&gt;</mark>serveur&lt;/b&gt; est <mark>EN PANNE</mark>, "
        "<mark>en panne</mark>!"
    )


def test_every_message_a_console_template_asks_for_exists() -> None:
    asked = set()
    for path in TEMPLATES.glob("*.html.j2"):
        asked |= set(re.findall(r't\("([\w.]+)"\)', path.read_text("utf-8")))
    assert asked and asked <= set(catalogue(Language.FR)) and asked <= set(catalogue(Language.EN))


async def test_the_queue_pages_keep_the_filters(service: str, store: Sessions) -> None:
    first = await stored_ticket(store, "Le plus récent")
    second = await stored_ticket(store, "Plus ancien", age=timedelta(hours=1))
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/", params={"limit": "1", "team": ""}) as page:
            text = await page.text()
        assert first in text and second not in text
        link = re.search(r'href="([^"]+)" rel="next"', text)
        assert link is not None and "limit=1" in link.group(1)
        async with http.get(service + link.group(1).replace("&amp;", "&")) as page:
            text = await page.text()
        assert second in text and first not in text and 'rel="prev"' in text


async def test_the_ticket_page_shows_its_clocks(
    service: str, migrated: Settings, store: Sessions
) -> None:
    number = (await mail_ticket(migrated, store, make_email())).number
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/tickets/{number}") as page:
            text = html.unescape(await page.text())
    assert "Délais (SLA)" in text and 'id="clocks"' in text
    for label in ("État de l'horloge", "Temps ouvrable écoulé", "Première réponse d'une personne"):
        assert label in text
    assert ("Échéance de rétablissement" in text) or ("aucune cible" in text)


async def test_the_ticket_page_lists_the_requesters_other_tickets(
    service: str, migrated: Settings, store: Sessions
) -> None:
    first = await mail_ticket(migrated, store, make_email())
    second = make_email(
        subject="Écran noir au 4e <b>vite</b>",
        body="Bonjour, mon écran reste noir depuis ce matin.",
        message_id="<m2.example@msss.example>",
    )
    drop(migrated.inbox, "b.eml", second)

    async def both() -> list[str]:
        async with store() as session:
            numbers = (await session.exec(select(Ticket.number))).all()
        return [n for n in numbers if n] if len(numbers) == 2 else []

    numbers = await eventually(both)
    later = next(n for n in numbers if n != first.number)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/tickets/{later}") as page:
            text = await page.text()
        async with http.get(f"{service}/console/tickets/{first.number}") as page:
            back = await page.text()
    assert f'<a href="/console/tickets/{first.number}">{first.number}</a>' in text
    assert f'<a href="/console/tickets/{later}">{later}</a>' in back
    assert "&lt;b&gt;vite&lt;/b&gt;" in back and "<b>vite</b>" not in back  # escaped


async def test_a_ticket_is_assigned_to_a_colleague_who_finds_it_with_the_assignee_filter(
    service: str, store: Sessions
) -> None:
    number = await stored_ticket(store, "Outlook figé")  # collaboration, N1
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    await account(store, "lea@itq.example", Role.AGENT, teams=("collaboration",))
    await account(store, "reseau@itq.example", Role.AGENT, teams=("network",))
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/tickets/{number}") as page:
            text = await page.text()
        token = CSRF.search(text)
        assert token is not None
        # who may take it: the lead and Léa, not the network agent
        assert 'value="lea@itq.example"' in text and "reseau@itq.example" not in text
        async with http.post(
            f"{service}/console/tickets/{number}/assign",
            data={"csrf": token.group(1), "value": "lea@itq.example"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303
        [assigned] = [e for e in await events(store, number) if e.type == "assigned"]
        assert assigned.actor == "console:cheffe@itq.example"
        assert assigned.data == {"from": None, "to": "console:lea@itq.example"}
        async with http.get(f"{service}/console/", params={"assignee": "lea@itq.example"}) as page:
            assert number in await page.text()
        async with http.get(f"{service}/console/", params={"assignee": "none"}) as page:
            assert number not in await page.text()
        async with http.post(
            f"{service}/console/tickets/{number}/assign",
            data={"csrf": token.group(1), "value": "personne@ailleurs.example"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 400  # no such account: said on the page, nothing changed
            assert "aucun compte actif n&#39;a cette adresse" in await answer.text()
        assert len([e for e in await events(store, number) if e.type == "assigned"]) == 1
        async with http.post(
            f"{service}/console/tickets/{number}/assign",
            data={"csrf": token.group(1), "value": "none"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303
        async with http.get(f"{service}/console/", params={"assignee": "none"}) as page:
            assert number in await page.text()


async def test_a_replys_quoted_history_is_folded_under_what_the_person_wrote(
    service: str, migrated: Settings, store: Sessions
) -> None:
    body = (
        "Toujours en panne ce matin.\n\n"
        "Le 3 déc. 2026 à 10:00, Centre de service <csc@itq.example> a écrit :\n"
        "> Avez-vous redémarré le poste?\n"
    )
    ticket = await mail_ticket(migrated, store, make_email(body=body))
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/tickets/{ticket.number}") as page:
            text = html.unescape(await page.text())
    shown, folded = text.split('<details class="whole">')
    assert re.search(
        r'<div class="body">Toujours (<mark>)?en panne(</mark>)? ce matin\.</div>', shown
    )
    assert "Avez-vous redémarré" not in shown  # only under the fold
    assert "Avez-vous redémarré le poste?" in folded.split("</details>")[0]
