"""Issue #14, item 13: an incident report is not swallowed as a status question.

The classifier read this printer report as a status follow-up, with a confidence under the
model's own threshold; it was answered "you have no open ticket" and no ticket was opened. A
status answer without a ticket now needs a ticket number, a status phrase or a confident
classifier; otherwise the ticket opens. Through the real service and the real model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from bot.store.db import Sessions
from tests.answers_helpers import Desk, running, text_of
from tests.servers.smtp import SmtpServer

PRINTER = "Problème d'imprimante"
REPORT = (
    "Quand sera-t-elle réparée?\nLe numéro de série est ABC123.\nC'est la deuxième fois ce mois-ci."
)


@pytest.fixture
async def desk(migrated: Settings, smtp_server: SmtpServer, store: Sessions) -> AsyncIterator[Desk]:
    async with running(migrated, smtp_server, store) as desk:
        yield desk


async def test_unsure_status_reading_of_an_incident_opens_a_ticket(desk: Desk) -> None:
    sent = desk.send(REPORT, subject=PRINTER)
    answer = await desk.answer_to(sent)
    assert "[CSC-000001] Accusé de réception" in answer["Subject"]
    assert "aucun billet ouvert" not in text_of(answer)
    [ticket] = await desk.tickets()
    assert (await desk.message(sent)).ticket_id == ticket.id
    # The premise: the model did read it as a status question, without confidence.
    assert ticket.triage is not None
    assert ticket.kind == "status" and ticket.triage["auto_apply"]["kind"] is False
    assert ticket.status == "new"  # an agent classifies it


async def test_status_phrase_or_number_is_still_answered_without_a_ticket(desk: Desk) -> None:
    phrase = desk.send("Bonjour, où en sont mes demandes?", subject="Suivi")
    told = text_of(await desk.answer_to(phrase))
    assert "Vous n'avez aucun billet ouvert." in told
    number = desk.send("CSC-000042 ?", subject="CSC-000042")
    assert "CSC-000042" in text_of(await desk.answer_to(number))
    assert await desk.tickets() == []
