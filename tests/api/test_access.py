"""Who may call the tickets API and what each sees: tokens, teams and levels, the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.store.db import Sessions
from bot.store.models import ApiToken, Role, Ticket
from bot.tickets import Language, Level, Status, Team
from bot.tickets.log import EventType, record
from tests.api.helpers import NOW, Api, account, ticket


@pytest.mark.parametrize(
    "token", [None, "", "gch_unknown", "not-ours", "gch_" + "x" * 300], ids=str
)
async def test_without_a_valid_token_it_is_401_with_a_bearer_challenge(
    api: Api, store: Sessions, token: str | None
) -> None:
    await ticket(store, "Outlook")
    for method, path in [
        ("GET", "/tickets"),
        ("GET", "/tickets/CSC-000001"),
        ("PATCH", "/tickets/CSC-000001"),
        ("POST", "/tickets/CSC-000001/notes"),
    ]:
        status, body, headers = await api.call(method, "/api/v1" + path, token, body={})
        assert status == 401, (method, path)
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert body["field"] == "Authorization" and "token" in body["error"]


async def test_a_revoked_token_or_a_disabled_account_is_401(api: Api, store: Sessions) -> None:
    revoked = await account(store, "revoque@itq.example", Role.LEAD)
    disabled = await account(store, "parti@itq.example", Role.LEAD, active=False)
    async with store() as session:
        [first, _] = (await session.exec(select(ApiToken).order_by(ApiToken.id))).all()  # type: ignore[arg-type]
        first.revoked_at = NOW
        session.add(first)
        await session.commit()
    for token in (revoked, disabled):
        status, _, _ = await api.call("GET", "/api/v1/tickets", token)
        assert status == 401


async def test_an_agent_sees_and_acts_on_their_teams_only_and_a_lead_everywhere(
    api: Api, store: Sessions
) -> None:
    mine = await ticket(store, "Outlook figé", team=Team.COLLABORATION)
    theirs = await ticket(store, "VPN coupé", team=Team.NETWORK)
    unsorted = await ticket(store, "Sans équipe", team=None, level=None)
    agent = await account(store, "agent@itq.example", teams=("collaboration",), levels=("N1",))
    lead = await account(store, "cheffe@itq.example", Role.LEAD)

    status, listed, _ = await api.call("GET", "/api/v1/tickets", agent)
    assert status == 200
    assert {t["number"] for t in listed["tickets"]} == {mine, unsorted}
    for method, path, body in [
        ("GET", f"/api/v1/tickets/{theirs}", None),
        ("PATCH", f"/api/v1/tickets/{theirs}", {"severity": "P2"}),
        ("POST", f"/api/v1/tickets/{theirs}/notes", {"body": "vu", "internal": True}),
    ]:
        status, refused, _ = await api.call(method, path, agent, body=body)
        assert status == 403 and refused["field"] == "number", (method, refused)
    status, shown, _ = await api.call("GET", f"/api/v1/tickets/{mine}", agent)
    assert status == 200 and shown["subject"] == "Outlook figé"

    status, everything, _ = await api.call("GET", "/api/v1/tickets", lead)
    assert status == 200 and len(everything["tickets"]) == 3
    status, shown, _ = await api.call("GET", f"/api/v1/tickets/{theirs}", lead)
    assert status == 200 and shown["team"] == "network"
    status, _, _ = await api.call("PATCH", f"/api/v1/tickets/{theirs}", lead, body={"level": "N2"})
    assert status == 200


async def test_the_queue_puts_to_confirm_first_then_the_newest_and_filters(
    api: Api, store: Sessions
) -> None:
    old = await ticket(store, "Imprimante 3e étage", age=timedelta(days=2))
    new = await ticket(store, "Imprimante bourrée", team=Team.PRINTING)
    confirm = await ticket(
        store, "Serveur de fichiers", status=Status.NEW, to_confirm=True, age=timedelta(days=5)
    )
    n2 = await ticket(store, "100% CPU_serveur", level=Level.N2, age=timedelta(days=1))
    lead = await account(store, "cheffe@itq.example", Role.LEAD)

    async def numbers(**params: str) -> list[str]:
        status, body, _ = await api.call("GET", "/api/v1/tickets", lead, params=params)
        assert status == 200, body
        return [t["number"] for t in body["tickets"]]

    assert await numbers() == [confirm, new, n2, old]
    _, body, _ = await api.call("GET", "/api/v1/tickets", lead)
    first = body["tickets"][0]
    assert first["to_confirm"] is True and first["status"] == "new"
    assert set(first) == {
        "number", "status", "kind", "severity", "level", "team", "organisation", "language",
        "channel", "subject", "assignee", "created_at", "updated_at", "to_confirm",
    }  # fmt: skip
    assert await numbers(q="IMPRIMANTE") == [new, old]
    assert await numbers(q="100%") == [n2]  # FTS5 syntax never reaches the engine
    assert await numbers(q="%") == [n2]  # no word at all: a substring of the subject
    # words, not substrings: "_serveur" is the word "serveur", case and accents folded
    assert await numbers(q="_serveur") == [confirm, n2]
    assert await numbers(q="imprim bourree") == [new]  # prefixes, every word required
    assert await numbers(q='étage"') == [old]  # a quote is not syntax
    assert await numbers(q="imprim OR fichiers") == []  # OR is a word to find, not an operator
    assert await numbers(team="printing") == [new]
    assert await numbers(level="N2") == [n2]
    assert await numbers(status="new") == [confirm]
    assert await numbers(severity="P3", limit="2", offset="1") == [new, n2]


async def test_the_queue_filters_by_organisation_assignee_and_service_level(
    api: Api, store: Sessions
) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    mine = await ticket(store, "Outlook", assignee="console:cheffe@itq.example")
    léa = await ticket(store, "VPN", assignee="console:lea@itq.example", organisation="mtq")
    nobody = await ticket(store, "Imprimante", organisation="mtq", age=timedelta(hours=1))
    breached = await ticket(store, "Paie", age=timedelta(hours=2))
    at_risk = await ticket(store, "Courriel", age=timedelta(hours=3))
    warned_then_resolved = await ticket(store, "Réseau", age=timedelta(hours=4))
    async with store() as session:
        for number, thresholds in [
            (breached, (50, 75, 90, 100)),
            (at_risk, (50, 75)),
            (nobody, (50,)),  # early warning: not yet at risk
            (warned_then_resolved, (50, 75, 90, 100)),
        ]:
            found = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
            for threshold in thresholds:
                record(session, found, NOW, EventType.SLA_WARNING, "bot", threshold=threshold)
            if number == warned_then_resolved:
                found.status = Status.RESOLVED
        await session.commit()

    async def numbers(**params: str) -> list[str]:
        status, body, _ = await api.call("GET", "/api/v1/tickets", lead, params=params)
        assert status == 200, body
        return [t["number"] for t in body["tickets"]]

    assert await numbers(organisation="mtq") == [léa, nobody]
    assert await numbers(organisation="MTQ") == [léa, nobody]
    assert await numbers(organisation="inconnue") == []
    assert await numbers(assignee="me") == [mine]
    assert await numbers(assignee="Lea@itq.example") == [léa]
    assert await numbers(assignee="none", organisation="mtq") == [nobody]
    assert await numbers(sla="breached") == [breached]
    assert await numbers(sla="at_risk") == [at_risk]
    status, body, _ = await api.call("GET", "/api/v1/tickets/" + mine, lead)
    assert status == 200 and body["assignee"] == "console:cheffe@itq.example"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "ouvert"}, "status"),
        ({"severity": "P9"}, "severity"),
        ({"team": "plomberie"}, "team"),
        ({"level": "N4"}, "level"),
        ({"limit": "201"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "beaucoup"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"q": "x" * 201}, "q"),
        ({"sort": "asc"}, "sort"),
        ({"organisation": "m t q"}, "organisation"),
        ({"organisation": "x" * 65}, "organisation"),
        ({"assignee": "léa"}, "assignee"),
        ({"assignee": "@"}, "assignee"),
        ({"sla": "late"}, "sla"),
    ],
)
async def test_a_bad_filter_is_400_naming_it(
    api: Api, store: Sessions, params: dict[str, str], field: str
) -> None:
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    status, body, _ = await api.call("GET", "/api/v1/tickets", lead, params=params)
    assert status == 400 and body["field"] == field and body["error"]


async def test_an_unknown_or_malformed_number_is_404(api: Api, store: Sessions) -> None:
    await ticket(store, "Outlook")
    lead = await account(store, "cheffe@itq.example", Role.LEAD, language=Language.EN)
    for number in ("CSC-999999", "abc", "CSC-0", "CSC-" + "9" * 40, "%00"):
        for method, path in [("GET", ""), ("PATCH", ""), ("POST", "/notes")]:
            body = {"body": "x", "internal": True} if path else {"status": "open"}
            status, answer, _ = await api.call(
                method,
                f"/api/v1/tickets/{number}{path}",
                lead,
                body=None if method == "GET" else body,
            )
            assert status == 404, (number, method, answer)
            assert answer["field"] == "number" and "not found" in answer["error"]
    status, found, _ = await api.call("GET", "/api/v1/tickets/csc-1", lead)
    assert status == 200 and found["number"] == "CSC-000001"
