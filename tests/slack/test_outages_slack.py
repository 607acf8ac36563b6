"""Issue 7 through Slack: a burst of similar reports → proposed major incident → declared →
every reporter told → resolved from `/csc panne` → each reporter told once; the knowledge
base's "solved?" buttons; questions answered without a ticket."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import col, select

from bot.store.models import Outage, TicketEvent
from tests.conftest import eventually
from tests.slack.payloads import message
from tests.slack.service import Service

REPORTS = {
    "U1": "Outlook ne répond plus depuis ce matin, impossible d'envoyer des courriels.",
    "U2": "Mon Outlook ne répond plus, je ne peux plus envoyer de courriels depuis ce matin.",
    "U3": "Outlook ne répond plus du tout ce matin, aucun courriel ne part.",
}


def _user(uid: str, name: str, locale: str = "fr-CA") -> dict[str, Any]:
    email = f"{name.lower().replace(' ', '.')}@itq.example"
    return {"id": uid, "locale": locale, "profile": {"email": email, "real_name": name}}


def _blocks(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _button(params: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in _blocks(params):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return {"type": "button", "block_id": block.get("block_id", ""), **element}
    raise AssertionError(f"no {action_id} button in {params}")


async def test_burst_declared_every_reporter_told_then_resolved_once(service: Service) -> None:
    service.fake.users["U3"] = _user("U3", "Lucie Roy")
    for index, (user, text) in enumerate(REPORTS.items()):
        channel = f"D{user}"
        await service.event(
            message(text, ts=f"17000011{index}0.000100", user=user, channel=channel), f"EvB{index}"
        )
        await eventually(lambda c=channel: service.posts(c))

    def burst_cards() -> list[dict[str, Any]]:
        return [p for p in service.posts("CN1") if "Incident majeur" in p["text"]]

    [card] = await eventually(burst_cards)
    declare = _button(card, "guichet.outage.declare")
    assert sorted(declare["value"].split(",")) == sorted(
        t.number or "" for t in await service.tickets()
    )
    await service.click(declare, channel="CN1", message_ts="1700009000.000001")

    notices = await eventually(lambda: service.posts("CANNOUNCE"))
    assert "Outlook" in notices[0]["text"] or "outlook" in notices[0]["text"]
    for user in REPORTS:
        told = await eventually(
            lambda u=user: [p for p in service.posts(f"D{u}") if "PANNE-" in p["text"]]
        )
        assert len(told) == 1 and told[0]["thread_ts"]
    assert {t.status for t in await service.tickets()} == {"linked"}
    update = await service.fake.wait_calls("chat.update")
    assert "PANNE-0001" in json.dumps(update[-1].params)

    refused = await service.slash("panne résolue PANNE-0001", "U1")
    assert "agents" in refused
    answer = await service.slash("panne résolue PANNE-0001", "UAGENT")
    assert "PANNE-0001" in answer
    for user in REPORTS:
        resolved = await eventually(
            lambda u=user: [p for p in service.posts(f"D{u}") if "PANNE-" in p["text"]][1:]
        )
        assert len(resolved) == 1
    async with service.store() as session:
        outage = (await session.exec(select(Outage))).one()
    assert outage.status == "resolved"
    assert {t.status for t in await service.tickets()} == {"resolved"}
    # The announcement's lane and the reporters' lanes deliver side by side: in any order.
    thread = await eventually(lambda: [p for p in service.posts("CANNOUNCE") if p.get("thread_ts")])
    assert len(thread) == 1, "the resolution is threaded under the first notice, once"


async def test_article_answered_and_confirmed_with_the_button(service: Service) -> None:
    text = "Comment partager mon calendrier Outlook avec ma collègue?"
    await service.event(message(text, ts="1700001200.000100"), "EvK1")
    [answer] = await eventually(lambda: service.posts("D1"))
    solved = _button(answer, "guichet.kb.solved")
    [ticket] = await service.tickets()
    assert ticket.status == "waiting_on_user"

    await service.click(solved, user="U2", channel="D1", message_ts="1700001201.000001")
    await service.fake.wait_for(lambda f: bool(f.responses))
    assert "Only the person who asked" in json.dumps(service.fake.responses[-1][1])  # U2 is en
    await service.click(solved, user="U1", channel="D1", message_ts="1700001201.000001")

    async def resolved() -> bool:
        [now] = await service.tickets()
        return now.status == "resolved"

    await eventually(resolved)
    async with service.store() as session:
        events = (
            await session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(col(TicketEvent.id))
            )
        ).all()
    confirmed = [e for e in events if e.type == "selfservice_confirmed"]
    assert confirmed and confirmed[0].data == {"answer": "solved", "via": "slack"}
    await eventually(lambda: [p for p in service.posts("D1") if "résolu" in p["text"]])


async def test_questions_about_status_and_outages_make_no_ticket(service: Service) -> None:
    await service.event(
        message("Est-ce qu'il y a une panne en ce moment?", ts="1700001300.000100"), "EvQ1"
    )
    [answer] = await eventually(lambda: service.posts("D1"))
    assert "Aucune panne" in answer["text"]
    await service.event(message("Où en est ma demande CSC-000001?", ts="1700001301.000100"), "EvQ2")
    answers = await eventually(lambda: service.posts("D1")[1:])
    assert "CSC-000001" in answers[0]["text"]
    assert await service.tickets() == []
