"""A phone call typed in the console enters like the caller's mail: triaged, ticketed, and the
caller acknowledged by mail; a wrong form is said on the form, which keeps what was typed."""

from __future__ import annotations

import html
from email import message_from_bytes, policy

import aiohttp
from sqlmodel import select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Message, Requester, Role, Ticket
from tests.conftest import eventually
from tests.console.helpers import CSRF, PASSWORD, account, sign_in


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)


async def test_a_phone_call_becomes_a_ticket_and_the_caller_is_acknowledged_by_mail(
    service: str, migrated: Settings, store: Sessions
) -> None:
    agent = await account(store, "lea@itq.example", Role.AGENT)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, agent, PASSWORD) == 303
        async with http.get(f"{service}/console/phone") as page:
            token = CSRF.search(await page.text())
        assert token is not None
        call = {
            "address": "Jeanne.Tremblay@MSSS.example",
            "name": "Jeanne Tremblay",
            "subject": "Imprimante du 3e bloquée",
            "text": "L'imprimante du 3e étage affiche un bourrage depuis ce matin.",
        }
        async with http.post(
            f"{service}/console/phone", data=call, allow_redirects=False
        ) as answer:
            assert answer.status == 403  # no CSRF token
        async with http.post(
            f"{service}/console/phone",
            data={**call, "csrf": token.group(1), "address": "jeanne at msss"},
            allow_redirects=False,
        ) as answer:
            text = html.unescape(await answer.text())
            assert answer.status == 400 and "Adresse courriel invalide" in text
            assert "affiche un bourrage depuis ce matin." in text  # kept
        async with http.post(
            f"{service}/console/phone", data={**call, "csrf": token.group(1)}, allow_redirects=False
        ) as answer:
            assert answer.status == 303
            location = answer.headers["Location"]
        # the ticket's page once the dispatcher has read the call (the queue if it is busy)
        if location == "/console/":
            location = await eventually(lambda: _ticket_page(store))
        assert location.startswith("/console/tickets/CSC-")
        async with http.get(f"{service}{location}") as page:
            assert "depuis ce matin" in await page.text()

    number = location.rsplit("/", 1)[1]
    async with store() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        requester = await session.get(Requester, ticket.requester_id)
        [message] = (
            await session.exec(
                select(Message).where(Message.ticket_id == ticket.id, Message.direction == "in")
            )
        ).all()
    assert ticket.subject == "Imprimante du 3e bloquée" and ticket.organisation == "msss"
    assert requester is not None and requester.address == "jeanne.tremblay@msss.example"
    assert (message.source, message.source_ref) == ("phone", "console:lea@itq.example")

    async def acknowledged() -> bytes | None:
        for path in migrated.outbox.glob("*.eml"):
            if number in path.read_bytes().decode("utf-8", "replace"):
                return path.read_bytes()
        return None

    ack = message_from_bytes(await eventually(acknowledged), policy=policy.default)
    assert ack["To"] == "Jeanne Tremblay <jeanne.tremblay@msss.example>"


async def _ticket_page(store: Sessions) -> str | None:
    async with store() as session:
        found = (await session.exec(select(Ticket))).first()
    return f"/console/tickets/{found.number}" if found and found.number else None
