"""The answers the centre gives by email, end to end: the real service (triage model included)
reads .eml files from its inbox folder and its mail reaches a real SMTP server.

Status inquiries and outage questions are answered without a ticket; a report of a known outage
is linked to it and told once at its resolution; another centre's business is redirected; a
knowledge-base question gets the article and "Est-ce réglé?", and the requester's answer decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from bot.status import status_label, unknown_answer
from bot.store.db import Sessions
from tests.answers_helpers import JEANNE, MARC, PAT, Desk, running, text_of
from tests.conftest import eventually
from tests.servers.smtp import SmtpServer

JEANNE_ADDRESS = "jeanne.tremblay@msss.example"
PAT_ADDRESS = "pat.smith@saaq.example"
OUTLOOK_DOWN = "Outlook ne fonctionne plus, je ne reçois aucun courriel"
OUT_OF_OFFICE = "Comment activer le message d'absence dans Outlook?"
QUIET = 2.5
"""Seconds to let the service act on something it should not (longer than the outbox's idle)."""


@pytest.fixture
async def desk(migrated: Settings, smtp_server: SmtpServer, store: Sessions) -> AsyncIterator[Desk]:
    async with running(migrated, smtp_server, store) as desk:
        yield desk


async def first_ticket(desk: Desk) -> str:
    """Jeanne's ordinary incident, acknowledged: CSC-000001."""
    sent = desk.send(
        "Bonjour, depuis ce matin Outlook plante au démarrage. Merci!",
        subject="Mon Outlook ne s'ouvre plus",
    )
    ack = await desk.answer_to(sent)
    assert "[CSC-000001] Accusé de réception" in ack["Subject"]
    return "CSC-000001"


# -- status inquiries ---------------------------------------------------------------------------


async def test_status_inquiry_lists_the_requesters_open_tickets(desk: Desk) -> None:
    number = await first_ticket(desk)
    asked = desk.send(
        "Bonjour, où en sont mes demandes? Avez-vous des nouvelles?", subject="Mes demandes"
    )
    answer = await desk.answer_to(asked)
    text = text_of(answer)
    ticket = await desk.ticket(number)
    assert "Vos billets ouverts" in text
    assert f"{number} « Mon Outlook ne s'ouvre plus » : {status_label(ticket.status, 'fr')}" in text
    assert answer["Subject"] == "Re: Mes demandes"
    assert [t.number for t in await desk.tickets()] == [number]
    assert (await desk.message(asked)).ticket_id is None


async def test_status_of_a_number_is_told_only_to_its_requester(desk: Desk) -> None:
    number = await first_ticket(desk)
    stranger = desk.send(
        f"Bonjour, où en est le billet {number}? Avez-vous des nouvelles?", sender=MARC
    )
    missing = desk.send(
        "Bonjour, où en est le billet CSC-000999? Avez-vous des nouvelles?", sender=MARC
    )
    told_stranger = text_of(await desk.answer_to(stranger)).strip()
    told_missing = text_of(await desk.answer_to(missing)).strip()
    assert told_stranger == unknown_answer(number, "fr")
    assert told_stranger.replace(number, "CSC-000999") == told_missing
    assert "Outlook" not in told_stranger

    own = desk.send(f"Bonjour, où en est le billet {number}? Avez-vous des nouvelles?")
    told_requester = text_of(await desk.answer_to(own))
    status = status_label((await desk.ticket(number)).status, "fr")
    assert f"{number} « Mon Outlook ne s'ouvre plus » : {status}" in told_requester
    assert len(await desk.tickets()) == 1


async def test_status_question_in_the_tickets_thread_is_added_and_answered_there(
    desk: Desk,
) -> None:
    number = await first_ticket(desk)
    [ack] = desk.mails()
    nudge = desk.send(
        "Des nouvelles?", subject=f"RE: {ack['Subject']}", reply_to=str(ack["Message-ID"])
    )
    answer = await desk.answer_to(nudge)
    status = status_label((await desk.ticket(number)).status, "fr")
    assert f"{number} « Mon Outlook ne s'ouvre plus » : {status}" in text_of(answer)
    assert str(ack["Message-ID"]) in answer["References"]
    assert (await desk.message(nudge)).ticket_id == 1
    added = await desk.events(number, "message_added")
    assert [e["reason"] for e in added] == ["in_reply_to"]
    assert len(await desk.tickets()) == 1


# -- outages ------------------------------------------------------------------------------------


async def test_outage_question_is_answered_with_the_outages_in_force(desk: Desk) -> None:
    asked = desk.send("Est-ce qu'il y a une panne en ce moment?")
    assert "Aucune panne" in text_of(await desk.answer_to(asked))

    await desk.declare("Panne du réseau sans fil", "Wireless network outage", team="network")
    again = desk.send("Est-ce qu'il y a une panne en ce moment?", subject="Panne?")
    text = text_of(await desk.answer_to(again))
    assert "Voici les pannes et interruptions en cours" in text
    assert "• Panne du réseau sans fil" in text
    assert await desk.tickets() == []


async def test_report_of_a_known_outage_is_linked_and_told_once_when_resolved(
    desk: Desk,
) -> None:
    outage = await desk.declare(
        "Panne de la messagerie Outlook",
        "Outlook email outage",
        services=["outlook"],
        team="collaboration",
    )
    assert outage.number is not None
    french = desk.send(OUTLOOK_DOWN, subject="Outlook")
    known_fr = await desk.answer_to(french)
    english = desk.send(
        "Outlook stopped working, I am not receiving any email", sender=PAT, subject="Outlook"
    )
    known_en = await desk.answer_to(english)
    assert known_fr["Subject"] == "[CSC-000001] Panne connue : Panne de la messagerie Outlook"
    assert "Nous sommes au courant de cette panne" in text_of(known_fr)
    assert known_en["Subject"] == "[CSC-000002] Known outage: Outlook email outage"
    for ticket in await desk.tickets():
        assert (ticket.status, ticket.outage_id) == ("linked", outage.id)
    assert not [m for m in desk.mails() if "Accusé" in m["Subject"] or "Acknowl" in m["Subject"]]

    await desk.resolve(outage.number)
    await eventually(lambda: len(desk.mails()) >= 4)
    await asyncio.sleep(QUIET)  # and nothing more: each requester is told once
    fr = [m for m in desk.mails(JEANNE_ADDRESS) if "rétabli" in m["Subject"]]
    en = [m for m in desk.mails(PAT_ADDRESS) if "restored" in m["Subject"]]
    assert len(desk.mails()) == 4
    assert [m["Subject"] for m in fr] == [
        "[CSC-000001] Service rétabli : Panne de la messagerie Outlook"
    ]
    assert "votre billet CSC-000001 est maintenant résolu" in text_of(fr[0])
    assert [m["Subject"] for m in en] == ["[CSC-000002] Service restored: Outlook email outage"]
    assert "your ticket CSC-000002 is now resolved" in text_of(en[0])
    assert fr[0]["In-Reply-To"] == f"<{french}>"
    assert {t.status for t in await desk.tickets()} == {"resolved"}


# -- redirection and self-service ---------------------------------------------------------------


async def test_another_centres_business_is_redirected(desk: Desk) -> None:
    sent = desk.send(
        "Bonjour, je ne trouve pas mon talon de paie de la semaine dernière. Pouvez-vous m'aider?",
        subject="Talon de paie",
    )
    answer = await desk.answer_to(sent)
    assert answer["Subject"].startswith("[CSC-000001] Redirection : Centre de soutien Paie")
    assert "soutien-paie-rh@rh.example" in text_of(answer)
    assert (await desk.ticket("CSC-000001")).status == "redirected"
    assert await desk.events("CSC-000001", "redirected") == [{"to": "paie-rh"}]


async def offered(desk: Desk, sender: str) -> tuple[str, str]:
    """A self-service question answered with its article: (ticket number, answer's Message-ID)."""
    sent = desk.send(OUT_OF_OFFICE, sender=sender, subject="Message d'absence")
    answer = await desk.answer_to(sent)
    number = answer["Subject"].split("]")[0].lstrip("[")
    assert "Solution proposée : Activer la réponse automatique" in answer["Subject"]
    assert "Est-ce réglé?" in text_of(answer)
    assert (await desk.ticket(number)).status == "waiting_on_user"
    assert await desk.events(number, "selfservice_offered") == [
        {"article": "outlook-out-of-office"}
    ]
    return number, str(answer["Message-ID"])


async def test_self_service_solved_resolves_the_ticket_and_thanks(desk: Desk) -> None:
    number, article = await offered(desk, JEANNE)
    await asyncio.sleep(QUIET)  # silence closes nothing
    assert (await desk.ticket(number)).status == "waiting_on_user"
    assert len(desk.mails()) == 1

    reply = desk.send("Oui c'est réglé, merci", subject="RE: Message d'absence", reply_to=article)
    thanks = await desk.answer_to(reply)
    assert "Merci de votre confirmation" in text_of(thanks)
    assert (await desk.ticket(number)).status == "resolved"
    assert await desk.events(number, "selfservice_confirmed") == [
        {"answer": "solved", "via": "email"}
    ]
    assert len(await desk.tickets()) == 1


async def test_self_service_not_solved_goes_back_to_the_agents(desk: Desk) -> None:
    number, article = await offered(desk, MARC)
    reply = desk.send(
        "Non, toujours pas\n\n> Est-ce réglé? Répondez « résolu » à ce courriel",
        sender=MARC,
        subject="RE: Message d'absence",
        reply_to=article,
    )
    handover = await desk.answer_to(reply)
    assert "Un agent du centre de service prend le relais" in text_of(handover)
    assert (await desk.ticket(number)).status == "open"
    assert await desk.events(number, "selfservice_confirmed") == [
        {"answer": "unsolved", "via": "email"}
    ]
    assert len(await desk.tickets()) == 1
