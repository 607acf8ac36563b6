"""The registry against the real store: declarations, updates, resolutions and their broadcasts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.outages import registry
from bot.outages.errors import InvalidOutage, UnknownOutage
from bot.outages.linked import link_ticket
from bot.outbox_links import LINK
from bot.store.db import Sessions
from bot.store.models import Outage, Ticket, TicketEvent
from intake.message import Channel
from tests.outages.helpers import BROADCAST, LISTS, NOW, SLACK, add_ticket, draft, outbox, planned


async def declare(store: Sessions, **changes: object) -> Outage:
    async with store() as session:
        outage = await registry.declare(session, draft(**changes), "agent", NOW, BROADCAST)
        await session.commit()
        return outage


async def test_declare_queues_one_slack_post_and_one_mail_per_list(store: Sessions) -> None:
    outage = await declare(store)
    assert outage.number == "PANNE-0001"
    assert outage.status == "active" and outage.starts_at == NOW
    sent = await outbox(store)
    assert list(sent) == [
        "outage:PANNE-0001:1:slack",
        f"outage:PANNE-0001:1:mail:{LISTS[0]}",
        f"outage:PANNE-0001:1:mail:{LISTS[1]}",
    ]
    slack = sent["outage:PANNE-0001:1:slack"]
    assert slack.channel == Channel.SLACK and slack.to == (SLACK,) and slack.thread is None
    assert slack.text.index("Panne en cours") < slack.text.index("Ongoing outage")
    assert "https://guichet.example/status" in slack.text
    mail = sent[f"outage:PANNE-0001:1:mail:{LISTS[0]}"]
    assert mail.to == (LISTS[0],) and mail.in_reply_to is None
    assert mail.subject.startswith("[PANNE-0001] Panne en cours : Courriel Outlook indisponible")
    body = mail.text
    assert body.index("Les boîtes aux lettres") < body.index("Mailboxes no longer respond")
    assert "Outlook" in body and "toutes" in body and "all" in body
    assert not mail.message_id.startswith("csc-")  # a reply must not thread into a ticket


async def test_update_threads_under_the_first_notice(store: Sessions) -> None:
    await declare(store)
    async with store() as session:
        notice = await registry.post_update(
            session, "panne-1", "Cause trouvée.", "Cause found.", "agent", NOW, BROADCAST,
            expected_end=NOW + timedelta(hours=2),
        )  # fmt: skip
        await session.commit()
    assert notice.seq == 2 and notice.kind == "update"
    sent = await outbox(store)
    first_mail = sent[f"outage:PANNE-0001:1:mail:{LISTS[1]}"]
    update_mail = sent[f"outage:PANNE-0001:2:mail:{LISTS[1]}"]
    assert update_mail.in_reply_to == first_mail.message_id
    assert update_mail.references == (first_mail.message_id,)
    assert "Mise à jour" in update_mail.subject and "Cause found." in update_mail.text
    assert "Fin prévue" in update_mail.text
    assert sent["outage:PANNE-0001:2:slack"].thread == f"{LINK}outage:PANNE-0001:1:slack"


async def test_update_is_not_sent_to_linked_requesters(store: Sessions) -> None:
    outage = await declare(store)
    ticket = await add_ticket(store, 1)
    async with store() as session:
        row = await session.get_one(Ticket, ticket.id)
        assert await link_ticket(session, outage, row, NOW)
        assert not await link_ticket(session, outage, row, NOW)  # once
        await registry.post_update(session, outage, "Suite.", "More.", "agent", NOW, BROADCAST)
        await session.commit()
    sent = await outbox(store)
    assert all(message.to[0] != "personne1@msss.example" for message in sent.values())
    async with store() as session:
        row = await session.get_one(Ticket, ticket.id)
        events = (await session.exec(select(TicketEvent.type))).all()
    assert row.status == "linked" and row.outage_id == outage.id
    assert events.count("outage_linked") == 1 and "status_changed" in events


async def test_resolve_tells_each_linked_requester_once_in_their_language(store: Sessions) -> None:
    outage = await declare(store)
    french = await add_ticket(store, 1, language="fr")
    english = await add_ticket(store, 2, language="en")
    on_slack = await add_ticket(store, 3, language="en", channel=Channel.SLACK)
    unrelated = await add_ticket(store, 4)
    async with store() as session:
        for ticket in (french, english, on_slack):
            await link_ticket(session, outage, await session.get_one(Ticket, ticket.id), NOW)
        await session.commit()
    async with store() as session:
        await registry.resolve(session, "PANNE-0001", "agent", NOW + timedelta(hours=1), BROADCAST)
        await session.commit()

    told = await outbox(store, "outage:PANNE-0001:resolved:")
    assert sorted(told) == [
        f"outage:PANNE-0001:resolved:{t.number}" for t in (french, english, on_slack)
    ]
    fr = told[f"outage:PANNE-0001:resolved:{french.number}"]
    assert fr.to == ("personne1@msss.example",) and fr.subject.startswith(f"[{french.number}]")
    assert "Service rétabli" in fr.subject and "Le service touché" in fr.text
    assert fr.in_reply_to == "report1@msss.example"
    en = told[f"outage:PANNE-0001:resolved:{english.number}"]
    assert "Service restored" in en.subject and "has been restored" in en.text
    chat = told[f"outage:PANNE-0001:resolved:{on_slack.number}"]
    assert chat.channel == Channel.SLACK and chat.to == ("CSUPPORT",)
    assert chat.thread == "1700000000.000003" and "Hello" not in chat.text
    broadcast = await outbox(store, "outage:PANNE-0001:2:")
    assert len(broadcast) == 3 and "Service rétabli" in broadcast["outage:PANNE-0001:2:slack"].text

    async with store() as session:
        statuses = {t.number: t.status for t in (await session.exec(select(Ticket))).all()}
        resolved = await registry.get(session, "PANNE-0001")
    assert statuses == {
        french.number: "resolved", english.number: "resolved", on_slack.number: "resolved",
        unrelated.number: "open",
    }  # fmt: skip
    assert resolved.status == "resolved" and resolved.resolved_at is not None
    with pytest.raises(InvalidOutage, match="resolved"):
        async with store() as session:
            await registry.resolve(session, "PANNE-0001", "agent", NOW, BROADCAST)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text_en": "  "}, "text_en"),
        ({"title_fr": ""}, "title_fr"),
        ({"expected_end": NOW - timedelta(hours=1)}, "expected_end"),
        ({"starts_at": NOW + timedelta(days=1)}, "starts_at"),
        ({"team": "plumbing"}, "team"),
    ],
)
async def test_bad_declarations_say_what_to_fix(
    store: Sessions, changes: dict[str, object], field: str
) -> None:
    async with store() as session:
        with pytest.raises(InvalidOutage) as caught:
            await registry.declare(session, draft(**changes), "agent", NOW, BROADCAST)
    assert caught.value.field == field
    assert await outbox(store) == {}


async def test_planned_needs_a_future_start_and_is_not_broadcast_at_once(store: Sessions) -> None:
    async with store() as session:
        with pytest.raises(InvalidOutage, match="past"):
            await registry.declare(session, planned(NOW - timedelta(days=1)), "a", NOW, BROADCAST)
        outage = await registry.declare(
            session, planned(NOW + timedelta(days=5)), "a", NOW, BROADCAST
        )
        await session.commit()
    assert outage.status == "planned" and await outbox(store) == {}


async def test_unknown_outage(store: Sessions) -> None:
    async with store() as session:
        with pytest.raises(UnknownOutage, match="outage list"):
            await registry.post_update(session, "PANNE-0042", "a", "b", "x", NOW, BROADCAST)


async def test_current_filters_by_organisation_and_lead(store: Sessions) -> None:
    everyone = await declare(store)
    only_mjq = await declare(store, organisations=("mjq",))
    async with store() as session:
        soon = await registry.declare(
            session, planned(NOW + timedelta(hours=10)), "a", NOW, BROADCAST
        )
        await registry.declare(session, planned(NOW + timedelta(days=9)), "a", NOW, BROADCAST)
        await session.commit()
        found = await registry.current(session, NOW, "msss")
        all_of_them = await registry.current(session, NOW)
    assert {o.number for o in found} == {everyone.number, soon.number}
    assert {o.number for o in all_of_them} == {everyone.number, only_mjq.number, soon.number}
