"""The API on a ticket opened by a real mail through the pipeline: its thread, corrections the
training export sees, internal notes that stay inside, public notes that reach the requester."""

from __future__ import annotations

import io
import json
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlmodel import col, func, select

from bot.commands.corrections import export
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Outbox, Role, Ticket
from tests.api.helpers import Api, account
from tests.conftest import eventually
from tests.mail import drop, make_email


async def mail_ticket(settings: Settings, store: Sessions) -> str:
    drop(settings.inbox, "a.eml", make_email())

    async def opened() -> str | None:
        async with store() as session:
            found = (await session.exec(select(Ticket.number))).first()
        return found if found and list(settings.outbox.glob("*.eml")) else None  # ack sent

    number: str | None = await eventually(opened)
    return str(number)


def mails(settings: Settings, words: str) -> list[str]:
    found = (p.read_text("utf-8") for p in settings.outbox.glob("*.eml"))
    return [text for text in found if words in text]


def decoded(settings: Settings, words: str) -> list[EmailMessage]:
    """The outbox's mails whose decoded text holds `words` (bodies are quoted-printable)."""
    found = []
    for path in settings.outbox.glob("*.eml"):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(mail, EmailMessage)
        body = mail.get_body(("plain",))
        if body is not None and words in body.get_content():
            found.append(mail)
    return found


async def outbox_rows(store: Sessions) -> int:
    async with store() as session:
        return (await session.exec(select(func.count(col(Outbox.id))))).one()


async def test_the_ticket_shows_its_thread_proposal_and_log(
    api: Api, migrated: Settings, store: Sessions
) -> None:
    number = await mail_ticket(migrated, store)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    status, shown, _ = await api.call("GET", f"/api/v1/tickets/{number}", lead)
    assert status == 200
    [first, *_] = shown["messages"]
    assert first["direction"] == "in" and first["channel"] == "email"
    assert "Outlook plante au démarrage" in first["body"]
    assert first["subject"] == "Mon Outlook ne s'ouvre plus" and first["attachments"] == []
    assert "raw" not in json.dumps(shown["messages"])
    assert shown["proposal"]["kind"] and "confidence" in json.dumps(shown["proposal"])
    assert [e["type"] for e in shown["events"]][:1] == ["opened"]
    assert all(set(e) == {"type", "at", "actor", "data"} for e in shown["events"])


async def test_a_severity_set_through_the_api_is_a_correction_the_export_sees(
    api: Api, migrated: Settings, store: Sessions
) -> None:
    number = await mail_ticket(migrated, store)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    _, shown, _ = await api.call("GET", f"/api/v1/tickets/{number}", lead)
    severity = "P1" if shown["proposal"].get("severity") != "P1" else "P2"
    status, _, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", lead, body={"kind": "incident", "severity": severity}
    )
    assert status == 200
    _, shown, _ = await api.call("GET", f"/api/v1/tickets/{number}", lead)
    [logged] = [e for e in shown["events"] if e["type"] == "severity_set"]
    assert logged["actor"] == "console:cheffe@itq.example"
    assert logged["data"]["to"] == severity and logged["data"]["confirmed"] is False

    out = io.StringIO()
    assert await export(migrated, out, since=None, keep_personal=False) == 0  # exit status
    [line] = [json.loads(text) for text in out.getvalue().splitlines()]
    assert line["id"] == number and line["severity"] == severity
    assert "severity" in line["corrected"]


async def test_an_internal_note_sends_nothing_and_a_public_one_reaches_the_requester(
    api: Api, migrated: Settings, store: Sessions
) -> None:
    number = await mail_ticket(migrated, store)
    agent = await account(store, "agent@itq.example", levels=("N1", "N2", "N3"))
    before = await outbox_rows(store)
    note = "Entre nous : c'est sûrement encore FS02."
    status, body, _ = await api.call(
        "POST", f"/api/v1/tickets/{number}/notes", agent, body={"body": note, "internal": True}
    )
    assert (status, body) == (201, {"number": number, "internal": True})
    assert await outbox_rows(store) == before

    answer = "Bonjour, pouvez-vous redémarrer le poste et nous dire si Outlook s'ouvre?"
    status, body, _ = await api.call(
        "POST", f"/api/v1/tickets/{number}/notes", agent, body={"body": answer, "internal": False}
    )
    assert (status, body) == (201, {"number": number, "internal": False})
    [mail] = await eventually(lambda: mails(migrated, "redémarrer le poste"))
    assert "To: Jeanne Tremblay <jeanne.tremblay@msss.example>" in mail
    assert f"[{number}]" in mail
    assert not mails(migrated, "FS02")  # the note never left
    _, shown, _ = await api.call("GET", f"/api/v1/tickets/{number}", agent)
    logged = [(e["type"], e["actor"]) for e in shown["events"] if e["actor"] != "bot"]
    assert logged == [
        ("note_added", "console:agent@itq.example"),
        ("agent_reply", "console:agent@itq.example"),
    ]
    [added] = [e for e in shown["events"] if e["type"] == "note_added"]
    assert added["data"] == {"text": note}


async def test_a_status_change_is_told_to_the_requester_in_their_channel(
    api: Api, migrated: Settings, store: Sessions
) -> None:
    number = await mail_ticket(migrated, store)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    status, _, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", lead, body={"status": "resolved"}
    )
    assert status == 200
    [told] = await eventually(lambda: decoded(migrated, "est résolu"))
    assert told["To"].addresses[0].addr_spec == "jeanne.tremblay@msss.example"
    assert number in told["Subject"]
    status, _, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", lead, body={"team": "network"}
    )
    assert status == 200
    assert len(decoded(migrated, "Votre billet")) == 1  # no status change, nothing more told


async def test_search_finds_what_the_requester_wrote_then_and_later(
    api: Api, migrated: Settings, store: Sessions
) -> None:
    number = await mail_ticket(migrated, store)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)

    async def found(q: str) -> list[str]:
        status, body, _ = await api.call("GET", "/api/v1/tickets", lead, params={"q": q})
        assert status == 200
        return [t["number"] for t in body["tickets"]]

    assert await found("plante DEMARRAGE") == [number]  # the body, accents and case folded
    assert await found("clavier") == []
    follow_up = make_email(
        subject=f"RE: [{number}] Mon Outlook ne s'ouvre plus",
        body="Aussi, mon clavier sans fil ne répond plus.",
        message_id="<m2.example@msss.example>",
    )
    drop(migrated.inbox, "b.eml", follow_up)

    async def later() -> bool:
        return await found("clavier repond") == [number]

    await eventually(later)
