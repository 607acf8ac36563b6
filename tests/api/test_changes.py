"""Changing a ticket through the API: each field through the domain's actions, logged with the
account as the actor; the client's mistakes are 4xx naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from bot.store.db import Sessions
from bot.store.models import Role, Ticket, TicketEvent
from bot.tickets import Language, Status
from tests.api.helpers import Api, account, ticket


async def events(store: Sessions, number: str) -> list[TicketEvent]:
    async with store() as session:
        found = await session.exec(
            select(TicketEvent)
            .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
            .where(Ticket.number == number)
            .order_by(col(TicketEvent.id))
        )
        return list(found.all())


async def test_each_field_goes_through_the_domain_with_the_account_as_actor(
    api: Api, store: Sessions
) -> None:
    number = await ticket(store, "Outlook", status=Status.NEW)
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    await account(store, "agent@itq.example", teams=("network",))
    status, body, _ = await api.call(
        "PATCH",
        f"/api/v1/tickets/{number}",
        lead,
        body={"severity": "P2", "level": "N2", "team": "network", "assignee": "Agent@itq.example"},
    )
    assert status == 200, body
    assert (body["severity"], body["level"], body["team"]) == ("P2", "N2", "network")
    assert body["assignee"] == "console:agent@itq.example" and body["status"] == "open"
    logged = [(e.type, e.actor, e.data.get("to")) for e in await events(store, number)]
    actor = "console:cheffe@itq.example"
    assert logged == [
        ("severity_set", actor, "P2"),
        ("status_changed", actor, "open"),  # the proposal has been looked at
        ("level_set", actor, "N2"),
        ("team_set", actor, "network"),
        ("assigned", actor, "console:agent@itq.example"),
    ]

    status, body, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", lead, body={"kind": "request", "status": "resolved"}
    )
    assert status == 200, body
    assert (body["kind"], body["severity"], body["status"]) == ("request", None, "resolved")
    status, body, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", lead, body={"assignee": None}
    )
    assert status == 200 and body["assignee"] is None
    [*_, unassigned] = await events(store, number)
    assert unassigned.type == "assigned" and unassigned.data == {
        "from": "console:agent@itq.example",
        "to": None,
    }


async def test_a_refused_rule_is_409_in_the_accounts_language(api: Api, store: Sessions) -> None:
    number = await ticket(store, "Outlook", status=Status.CLOSED)
    french = await account(store, "cheffe@itq.example", Role.LEAD)
    english = await account(store, "lead@itq.example", Role.LEAD, language=Language.EN)
    status, body, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", french, body={"status": "resolved"}
    )
    assert status == 409 and body["field"] == "status"
    assert body["error"] == f"{number} : impossible de passer de « closed » à « resolved »"
    status, body, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", english, body={"status": "in_progress"}
    )
    assert (status, body["error"]) == (409, f"{number}: cannot go from closed to in_progress")
    status, body, _ = await api.call(
        "PATCH", f"/api/v1/tickets/{number}", english, body={"kind": "request", "severity": "P1"}
    )
    assert status == 409 and "reclassify it as an incident" in body["error"]
    assert [e.type for e in await events(store, number)] == []  # nothing half-written


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "P1"}, "priority"),
        ({"severity": "P9"}, "severity"),
        ({"severity": 2}, "severity"),
        ({"team": None}, "team"),
        ({"level": ["N1"]}, "level"),
        ({"status": "ouvert"}, "status"),
        ({"kind": "incident", "mood": "bad"}, "mood"),
        ({"assignee": "personne"}, "assignee"),
        ({"assignee": "inconnu@itq.example"}, "assignee"),
        ({}, "body"),
    ],
)
async def test_a_bad_field_is_400_naming_it(
    api: Api, store: Sessions, body: dict[str, Any], field: str
) -> None:
    number = await ticket(store, "Outlook")
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    status, answer, _ = await api.call("PATCH", f"/api/v1/tickets/{number}", lead, body=body)
    assert (status, answer["field"]) == (400, field), answer
    assert answer["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "", "internal": True}, "body"),
        ({"body": "   ", "internal": True}, "body"),
        ({"body": "x" * 10_001, "internal": True}, "body"),
        ({"body": 5, "internal": True}, "body"),
        ({"body": "vu"}, "internal"),
        ({"body": "vu", "internal": "yes"}, "internal"),
        ({"body": "vu", "internal": True, "cc": "x@y.example"}, "cc"),
    ],
)
async def test_a_bad_note_is_400_naming_the_field(
    api: Api, store: Sessions, body: dict[str, Any], field: str
) -> None:
    number = await ticket(store, "Outlook")
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    status, answer, _ = await api.call("POST", f"/api/v1/tickets/{number}/notes", lead, body=body)
    assert (status, answer["field"]) == (400, field), answer


HOSTILE: list[tuple[str, bytes, int]] = [
    ("deeply nested array", b"[" * 20_000 + b"]" * 20_000, 400),
    ("deeply nested object", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, 400),
    ("nested nine deep", b'{"severity": ' + b"[" * 8 + b"]" * 8 + b"}", 400),
    ("nested in a string is text", b'{"severity": "' + b"[" * 50 + b'"}', 400),
    ("array", b"[1, 2]", 400),
    ("null", b"null", 400),
    ("empty", b"", 400),
    ("not UTF-8", b'{"severity": "\xff\xfe"}', 400),
    ("not JSON", b"severity=P1", 400),
    ("truncated", b'{"severity": "P1"', 400),
    ("huge", b'{"body": "' + b"a" * (65 * 1024) + b'", "internal": true}', 413),
    ("very huge", b'{"body": "' + b"a" * (2 * 1024 * 1024) + b'"}', 413),
]


@pytest.mark.parametrize("path", ["", "/notes"], ids=["patch", "notes"])
async def test_hostile_bodies_are_4xx_naming_the_body(api: Api, store: Sessions, path: str) -> None:
    number = await ticket(store, "Outlook")
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    method = "POST" if path else "PATCH"
    outcomes = {}
    for name, raw, _ in HOSTILE:
        status, answer, _ = await api.call(
            method, f"/api/v1/tickets/{number}{path}", lead, data=raw
        )
        outcomes[name] = (status, answer.get("field"))
    expected = {name: (status, "body") for name, _, status in HOSTILE}
    expected["nested in a string is text"] = (400, "severity")  # parsed, then refused
    assert outcomes == expected
