"""A business rule refuses an agent's click: the agent reads why, in French (their locale), and
nothing changes; a choice no card offers (a forged payload) is refused the same way."""

from __future__ import annotations

import json

from bot.tickets import Status
from tests.conftest import eventually
from tests.slack.payloads import message
from tests.slack.service import OUTAGE, TRIAGE, Service


async def _opened(service: Service, ts: str, event: str) -> tuple[str, dict[str, str]]:
    await service.event(message(OUTAGE, ts=ts), event)
    await eventually(lambda: service.posts("D1"))
    [ticket] = await service.tickets()
    channel = TRIAGE.get(ticket.level or "N1", "CN1")
    await eventually(lambda: service.posts(channel))
    return ticket.number or "", {"channel": channel, "message_ts": "1700009999.000002"}


async def test_taking_a_closed_ticket_is_refused_in_the_agents_language(service: Service) -> None:
    number, where = await _opened(service, "1700000700.000100", "EvRule1")
    async with service.store() as session:  # closed long ago (no Slack button closes a ticket)
        [ticket] = await service.tickets()
        ticket.status = Status.CLOSED
        session.add(ticket)
        await session.commit()
    before = len(await service.events(ticket))

    await service.click({"type": "button", "action_id": "guichet.take", "value": number}, **where)

    await service.fake.wait_for(lambda f: bool(f.responses))
    said = json.dumps(service.fake.responses[-1][1], ensure_ascii=False)
    assert f"Impossible : {number} : impossible de passer de « closed » à « in_progress »" in said
    [after] = await service.tickets()
    assert after.status == Status.CLOSED and after.assignee is None
    assert len(await service.events(after)) == before
    assert not service.fake.called("chat.update")


async def test_a_forged_choice_is_refused_and_changes_nothing(service: Service) -> None:
    number, where = await _opened(service, "1700000800.000100", "EvRule2")
    [ticket] = await service.tickets()
    forged = {"value": "P9", "text": {"type": "plain_text", "text": "P9"}}
    await service.click(
        {
            "type": "static_select",
            "action_id": "guichet.severity",
            "block_id": f"ticket:{number}",
            "selected_option": forged,
        },
        **where,
    )
    await service.fake.wait_for(lambda f: bool(f.responses))
    said = json.dumps(service.fake.responses[-1][1], ensure_ascii=False)
    assert "Ce choix n'existe pas (guichet.severity)" in said
    [after] = await service.tickets()
    assert (after.severity, after.status) == (ticket.severity, ticket.status)


async def test_an_unknown_ticket_is_named_in_the_agents_language(service: Service) -> None:
    _, where = await _opened(service, "1700000900.000100", "EvRule3")
    await service.click(
        {"type": "button", "action_id": "guichet.take", "value": "CSC-1000000"}, **where
    )
    await service.fake.wait_for(lambda f: bool(f.responses))
    said = json.dumps(service.fake.responses[-1][1], ensure_ascii=False)
    assert "CSC-1000000 : billet introuvable." in said
