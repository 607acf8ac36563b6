"""Slack end to end: the real service (`serve`) with its store, dispatcher, triage and outbox,
talking to the recording fake Web API, receiving correctly signed real-shaped payloads."""

from __future__ import annotations

import asyncio
import io
import json

from sqlmodel import col, select

from bot.commands.corrections import export
from bot.store.models import Message, Ticket
from tests.conftest import eventually
from tests.mail import drop, make_email
from tests.slack.payloads import (
    message,
    reaction,
)
from tests.slack.service import OUTAGE, TRIAGE, Service


async def test_direct_message_becomes_ticket_answered_in_thread_with_card(service: Service) -> None:
    await service.event(message(OUTAGE, ts="1700000100.000100"), "Ev1")
    await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    assert ticket.channel == "slack" and ticket.organisation == "itq"
    [ack] = service.posts("D1")
    assert ack["thread_ts"] == "1700000100.000100"
    assert ticket.number and ticket.number in ack["text"]
    card_channel = TRIAGE.get(ticket.level or "N1", "CN1")
    [card] = await eventually(lambda: service.posts(card_channel))
    blocks = json.loads(card["blocks"]) if isinstance(card["blocks"], str) else card["blocks"]
    assert any(b.get("block_id") == f"ticket:{ticket.number}" for b in blocks)
    assert "Marie Tremblay" in json.dumps(blocks) or "<@U1>" in json.dumps(blocks)


async def test_retries_and_twins_make_one_ticket(service: Service) -> None:
    event = message(OUTAGE, ts="1700000200.000100", channel="CSUPPORT", channel_type="channel")
    await service.event(event, "Ev2")
    await service.event(event, "Ev2", retry=1)
    await service.event({**event, "type": "app_mention"}, "Ev3")
    await eventually(lambda: service.posts("CSUPPORT"))
    await asyncio.sleep(0.3)
    assert len(await service.tickets()) == 1
    assert len(service.posts("CSUPPORT")) == 1


async def test_thread_reply_is_a_follow_up_not_a_ticket(service: Service) -> None:
    await service.event(message(OUTAGE, ts="1700000300.000100"), "Ev4")
    await eventually(lambda: service.posts("D1"))
    reply = message(
        "J'ai redémarré, même chose.", ts="1700000301.000100", thread_ts="1700000300.000100"
    )
    await service.event(reply, "Ev5")

    async def added() -> bool:
        [ticket] = await service.tickets()
        return any(e.type == "message_added" for e in await service.events(ticket))

    await eventually(added)
    assert len(await service.tickets()) == 1


async def test_ticket_reaction_files_the_message_for_its_author(service: Service) -> None:
    service.fake.history["CGEN"] = [
        {
            "type": "message",
            "user": "U2",
            "text": "The VPN drops every ten minutes since this morning.",
            "ts": "1700000400.000100",
        }
    ]
    await service.event(
        reaction(item_ts="1700000400.000100", channel="CGEN", user="U1", item_user="U2"), "Ev6"
    )
    await eventually(lambda: service.posts("CGEN"))
    [ticket] = await service.tickets()
    assert ticket.language == "en"
    async with service.store() as session:
        requester = (
            await session.exec(select(Message.sender).where(Message.ticket_id == ticket.id))
        ).first()
    assert requester == "john.smith@itq.example"
    assert "ticket" in service.posts("CGEN")[0]["text"].lower()


async def test_agent_buttons_log_decisions_update_card_and_tell_requester(service: Service) -> None:
    await service.event(message(OUTAGE, ts="1700000500.000100"), "Ev7")
    await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    number = ticket.number or ""
    card_channel = TRIAGE.get(ticket.level or "N1", "CN1")
    await eventually(lambda: service.posts(card_channel))
    where = {"channel": card_channel, "message_ts": "1700009999.000001"}

    status, _ = await service.click(
        {
            "type": "static_select",
            "action_id": "guichet.severity",
            "block_id": f"ticket:{number}",
            "selected_option": {"value": "P2", "text": {"type": "plain_text", "text": "P2"}},
        },
        **where,
    )
    assert status == 200
    await service.click(
        {
            "type": "static_select",
            "action_id": "guichet.team",
            "block_id": f"ticket:{number}",
            "selected_option": {"value": "printing", "text": {"type": "plain_text", "text": "x"}},
        },
        **where,
    )
    await service.click({"type": "button", "action_id": "guichet.take", "value": number}, **where)
    await service.click(
        {"type": "button", "action_id": "guichet.resolve", "value": number}, **where
    )

    updates = await service.fake.wait_calls("chat.update", 4)
    assert all(u.params["ts"] == "1700009999.000001" for u in updates)
    assert "P2" in json.dumps(updates[-1].params["blocks"])
    [ticket] = await service.tickets()
    assert ticket.severity == "P2" and ticket.status == "resolved"
    assert ticket.assignee == "slack:UAGENT"
    logged = [(e.type, e.actor) for e in await service.events(ticket) if e.actor == "slack:UAGENT"]
    assert ("severity_set", "slack:UAGENT") in logged and ("assigned", "slack:UAGENT") in logged
    told = await eventually(lambda: [p for p in service.posts("D1") if "résolu" in p["text"]])
    assert told[0]["thread_ts"] == "1700000500.000100"

    exported = io.StringIO()
    await export(service.settings, exported, since=None, keep_personal=False)
    [line] = [json.loads(x) for x in exported.getvalue().splitlines()]
    assert line["id"] == number and line["team"] == "printing" and "team" in line["corrected"]
    assert line["text"] == OUTAGE and line["proposed"]["team"] != "printing"


async def test_non_agent_click_is_refused_and_changes_nothing(service: Service) -> None:
    await service.event(message(OUTAGE, ts="1700000600.000100"), "Ev8")
    await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    await service.click(
        {"type": "button", "action_id": "guichet.resolve", "value": ticket.number}, user="U2"
    )
    await service.fake.wait_for(lambda f: bool(f.responses))
    assert "agents" in json.dumps(service.fake.responses[-1][1])
    [after] = await service.tickets()
    assert after.status == ticket.status
    assert not service.fake.called("chat.update")


async def test_csc_status_only_for_requester_and_agents(service: Service) -> None:
    await service.event(message(OUTAGE, ts="1700000700.000100"), "Ev9")
    await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    number = ticket.number or ""
    mine = await service.slash(f"status {number}", "U1")
    assert number in mine and "Je ne peux pas" not in mine
    other = await service.slash(f"status {number}", "U2")
    assert "cannot give you information" in other
    assert other == (await service.slash("status CSC-999999", "U2")).replace("CSC-999999", number)
    assert number in await service.slash(f"status {number}", "UAGENT")
    assert number in await service.slash("mes-billets", "U1")
    assert "no open ticket" in await service.slash("my-tickets", "U2")


async def test_a_reply_under_the_card_is_an_internal_note_and_csc_repondre_answers(
    service: Service,
) -> None:
    drop(service.settings.inbox, "a.eml", make_email())
    [ticket] = await eventually(service.tickets)

    async def card_post() -> str | None:
        async with service.store() as session:
            found = await session.exec(
                select(Message.message_id).where(
                    Message.direction == "out", col(Message.message_id).startswith("slack:*:CN")
                )
            )
            return found.first()

    posted = await eventually(card_post)
    _, _, channel, ts = (posted or "").split(":", 3)
    note = "Entre nous : c'est sûrement encore FS02, on attend le redémarrage de 18 h."
    await service.event(
        message(
            note,
            ts="1700001500.000100",
            user="UAGENT",
            channel=channel,
            channel_type="channel",
            thread_ts=ts,
        ),
        "EvAg1",
    )

    async def noted() -> bool:
        return "note_added" in await _types(service, ticket)

    await eventually(noted)

    answer = "Bonjour, pouvez-vous redémarrer le poste et nous dire si Outlook s'ouvre?"
    said = await service.slash(f"répondre {ticket.number} {answer}", user="UAGENT")
    assert said == f"Réponse envoyée au demandeur de {ticket.number}."

    def mails(words: str) -> list[str]:
        return [
            p.read_text("utf-8")
            for p in service.settings.outbox.glob("*.eml")
            if words in p.read_text("utf-8")
        ]

    [mail] = await eventually(lambda: mails("redémarrer le poste"))
    assert "jeanne.tremblay@msss.example" in mail and "CSC-000001" in mail
    assert not mails("FS02")  # the note never left
    types = await _types(service, ticket)
    assert types.count("agent_reply") == 1 and "message_added" not in types

    refused = await service.slash(f"répondre {ticket.number} {answer}", user="U2")
    assert "agents" in refused
    assert await service.slash("répondre CSC-000001", user="UAGENT") == (
        "Utilisation : `/csc répondre CSC-000123 Votre texte` (envoyé au demandeur, dans son fil "
        "ou par courriel). Une réponse dans le fil d'une carte de triage reste une note interne."
    )


async def _types(service: Service, ticket: Ticket) -> list[str]:
    return [e.type for e in await service.events(ticket)]


async def test_level_change_brings_the_card_to_the_new_level_channel(service: Service) -> None:
    await service.event(message(OUTAGE, ts="1700001600.000100"), "EvLv1")
    await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    number = ticket.number or ""
    here = TRIAGE.get(ticket.level or "N1", "CN1")
    await eventually(lambda: service.posts(here))
    target = "N1" if ticket.level != "N1" else "N3"
    await service.click(
        {
            "type": "static_select",
            "action_id": "guichet.level",
            "block_id": f"ticket:{number}",
            "selected_option": {"value": target, "text": {"type": "plain_text", "text": target}},
        },
        channel=here,
        message_ts="1700009998.000001",
    )
    [moved] = await eventually(lambda: service.posts(TRIAGE[target]))
    assert number in moved["text"]
    [update] = await service.fake.wait_calls("chat.update")
    assert update.params["channel"] == here
