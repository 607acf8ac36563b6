"""The status page and the outage API, through the real aiohttp app on a loopback port."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.outages import registry
from bot.outages.web import routes
from bot.store.db import Sessions
from bot.web import create_app
from tests.outages.helpers import BROADCAST, NOW, draft, outbox, planned

TOKEN = "s3cret-token"
GOOD = {"Authorization": f"Bearer {TOKEN}"}
ATOM = "{http://www.w3.org/2005/Atom}"

Client = TestClient[Any, Any]
Http = Callable[..., Awaitable[Client]]


@pytest.fixture
async def http(store: Sessions) -> AsyncIterator[Http]:
    clients: list[Client] = []
    woken: list[str] = []

    async def make(tokens: Sequence[str] = (TOKEN,)) -> Client:
        app = create_app(
            dict,
            routes(
                store, tokens=tokens, broadcast=BROADCAST, now=lambda: NOW,
                on_queued=lambda: woken.append("outbox"), on_planned=lambda: woken.append("watcher"),
            ),
        )  # fmt: skip
        client = TestClient(TestServer(app, host="127.0.0.1", port=0))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def seed(store: Sessions) -> None:
    async with store() as session:
        mail = await registry.declare(session, draft(), "agent", NOW, BROADCAST)
        await registry.post_update(
            session, mail, "Cause trouvée.", "Cause found.", "a", NOW, BROADCAST
        )
        await registry.declare(session, planned(NOW + timedelta(days=3)), "agent", NOW, BROADCAST)
        old = await registry.declare(
            session, draft(title_fr="Imprimantes <b>muettes</b>", title_en="Printers silent"),
            "agent", NOW - timedelta(days=2), BROADCAST,
        )  # fmt: skip
        await registry.resolve(session, old, "agent", NOW - timedelta(days=1), BROADCAST)
        await session.commit()


async def test_status_page_in_french_and_english(store: Sessions, http: Http) -> None:
    await seed(store)
    client = await http()
    response = await client.get("/status")
    assert response.status == 200 and response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="fr">' in page and "État des services" in page
    assert "Courriel Outlook indisponible" in page and "Cause trouvée." in page
    assert "Mise à niveau du VPN" in page  # planned
    assert "Imprimantes &lt;b&gt;muettes&lt;/b&gt;" in page  # resolved, escaped
    assert "<script" not in page
    english = await (await client.get("/status", params={"lang": "en"})).text()
    assert '<html lang="en">' in english and "Outlook email unavailable" in english
    assert "Cause found." in english and "Ongoing outages" in english


async def test_status_json_and_atom(store: Sessions, http: Http) -> None:
    await seed(store)
    client = await http()
    data = await (await client.get("/status.json")).json()
    assert [o["number"] for o in data["active"]] == ["PANNE-0001"]
    assert [o["number"] for o in data["planned"]] == ["PANNE-0002"]
    assert [o["number"] for o in data["resolved"]] == ["PANNE-0003"]
    assert [n["kind"] for n in data["active"][0]["notices"]] == ["declared", "update"]

    response = await client.get("/status.atom")
    assert response.content_type == "application/atom+xml"
    feed = ET.fromstring(await response.read())
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5  # 2 + 1 + 2 notices
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert any("[PANNE-0001] Mise à jour" in t for t in titles)
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 5
    again = ET.fromstring(await (await client.get("/status.atom")).read())
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == [
        e.findtext(f"{ATOM}id") for e in entries
    ]


async def test_api_is_disabled_without_tokens(http: Http) -> None:
    client = await http(())
    response = await client.get("/api/outages", headers=GOOD)
    assert response.status == 503
    assert "disabled" in (await response.json())["error"]


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Basic {TOKEN}", "Bearer "])
async def test_api_refuses_a_bad_token(http: Http, header: str) -> None:
    client = await http()
    response = await client.post("/api/outages", json={}, headers={"Authorization": header})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_api_declare_update_resolve(store: Sessions, http: Http) -> None:
    client = await http(("other-token", TOKEN))
    body = {
        "title_fr": "Réseau coupé", "title_en": "Network down", "text_fr": "Aucun accès.",
        "text_en": "No access.", "services": ["Internet"], "organisations": ["msss"],
        "expected_end": (NOW + timedelta(hours=2)).isoformat(),
    }  # fmt: skip
    response = await client.post("/api/outages", json=body, headers=GOOD)
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["number"] == "PANNE-0001" and response.headers["Location"].endswith("PANNE-0001")
    assert created["declared_by"].startswith("api:") and len(created["declared_by"]) == 10
    assert TOKEN not in str(created)
    assert "outage:PANNE-0001:1:slack" in await outbox(store)

    update = await client.post(
        "/api/outages/PANNE-0001/updates",
        json={"text_fr": "Ça revient.", "text_en": "Coming back."},
        headers=GOOD,
    )
    assert update.status == 201 and (await update.json())["notice"]["seq"] == 2
    resolved = await client.post("/api/outages/PANNE-0001/resolve", headers=GOOD)
    assert resolved.status == 200 and (await resolved.json())["outage"]["status"] == "resolved"
    listed = await (await client.get("/api/outages", headers=GOOD)).json()
    assert [o["status"] for o in listed["outages"]] == ["resolved"]
    shown = await (await client.get("/api/outages/panne-1", headers=GOOD)).json()
    assert [n["kind"] for n in shown["notices"]] == ["declared", "update", "resolved"]


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/api/outages", b"{not json", 400, "body"),
        ("/api/outages", b"[1, 2]", 400, "body"),
        ("/api/outages", b'{"title_fr": "x", "title_en": "y", "text_fr": "z"}', 400, "text_en"),
        ("/api/outages", b'{"title_fr": 3}', 400, "title_fr"),
        ("/api/outages", b'{"kind": "meteor"}', 400, "kind"),
        (
            "/api/outages",
            b'{"title_fr": "a", "title_en": "b", "text_fr": "c", "text_en": "d", '
            b'"starts_at": "tomorrow"}',
            400,
            "starts_at",
        ),
        ("/api/outages", b'{"services": "Outlook"}', 400, "services"),
        ("/api/outages/PANNE-0042/updates", b'{"text_fr": "a", "text_en": "b"}', 404, "number"),
        ("/api/outages/PANNE-0042/resolve", b"", 404, "number"),
    ],
)
async def test_api_bad_input_names_the_field(
    http: Http, path: str, body: bytes, status: int, field: str
) -> None:
    client = await http()
    response = await client.post(
        path, data=body, headers={**GOOD, "Content-Type": "application/json"}
    )
    assert response.status == status
    answer = await response.json()
    assert answer["field"] == field and answer["error"]


async def test_api_rejects_updates_to_a_resolved_outage(store: Sessions, http: Http) -> None:
    await seed(store)
    client = await http()
    response = await client.post(
        "/api/outages/PANNE-0003/updates", json={"text_fr": "a", "text_en": "b"}, headers=GOOD
    )
    assert response.status == 400
    assert "resolved" in (await response.json())["error"]
    bad_status = await client.get("/api/outages", params={"status": "nope"}, headers=GOOD)
    assert bad_status.status == 400 and (await bad_status.json())["field"] == "status"
