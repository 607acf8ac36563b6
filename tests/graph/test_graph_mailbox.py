"""Issue 16: a Microsoft 365 mailbox without IMAP, read and answered over Microsoft Graph
(delta query, $value, move, sendMail) with client-credentials tokens, against the fake identity
platform and the fake Graph, through the real service."""

from __future__ import annotations

import email
import email.policy
import logging
import time

import aiohttp
import pytest

from bot.graph_checkpoints import StoreDeltaLinks
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Ticket
from tests.conftest import eventually, running_service
from tests.graph.conftest import CLIENT_ID, SECRET, graph_settings, graph_state, healthz
from tests.imap.test_imap_intake import count
from tests.mail import make_email
from tests.servers.graph import FakeGraph
from tests.servers.identity import FakeIdentity


def _subjects(graph: FakeGraph) -> list[str]:
    return [
        str(email.message_from_bytes(m, policy=email.policy.SMTP)["Subject"]) for m in graph.sent
    ]


async def test_mail_in_the_mailbox_is_ticketed_acknowledged_by_sendmail_and_moved(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph, store: Sessions
) -> None:
    settings = graph_settings(migrated, identity, graph)
    async with running_service(settings) as url:
        await eventually(lambda: _state(url, "running"), timeout=30)
        graph.deliver(make_email())
        await eventually(lambda: graph.sent, timeout=30)
        [ack] = graph.sent
        parsed = email.message_from_bytes(ack, policy=email.policy.SMTP)
        assert "[CSC-000001]" in str(parsed["Subject"])
        assert parsed["In-Reply-To"] == "<m1.example@msss.example>"
        await eventually(lambda: len(graph.in_folder("Guichet/Traité")) == 1, timeout=30)
        assert graph.in_folder("inbox") == []
        assert (await healthz(url))["connectors"]["graph:csc"]["state"] == "running"
    assert await count(store, Ticket) == 1
    link = await StoreDeltaLinks(store).load("csc")
    assert link is not None and "$deltatoken=" in link
    assert any(r.endswith("/messages/delta") for r in graph.requests)
    assert identity.refusals == []
    assert len(identity.tokens_for(CLIENT_ID)) == 2  # the reader's and the sender's, cached


async def test_a_restart_continues_from_the_stored_delta_link_without_ticketing_again(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph, store: Sessions
) -> None:
    settings = graph_settings(migrated, identity, graph)
    async with running_service(settings) as url:
        await eventually(lambda: _state(url, "running"), timeout=30)
        graph.deliver(make_email())
        await eventually(lambda: len(graph.in_folder("Guichet/Traité")) == 1, timeout=30)
        # Stopped only once its acknowledgement is out (one cut mid-send waits for its lease).
        await eventually(lambda: len(graph.sent) == 1, timeout=30)
    first = await StoreDeltaLinks(store).load("csc")
    assert first is not None
    graph.deliver(make_email(message_id="<m2.example@msss.example>", subject="Imprimante"))
    async with running_service(settings) as url:
        await eventually(lambda: len(graph.in_folder("Guichet/Traité")) == 2, timeout=30)
        await eventually(lambda: len(graph.sent) == 2, timeout=30)
    assert await count(store, Ticket) == 2
    assert [s.count("[CSC-") for s in _subjects(graph)] == [1, 1]
    assert sorted(s[s.index("[CSC") :][:12] for s in _subjects(graph)) == [
        "[CSC-000001]",
        "[CSC-000002]",
    ]
    assert await StoreDeltaLinks(store).load("csc") != first


async def test_a_429_with_retry_after_is_waited_and_retried(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph, store: Sessions
) -> None:
    settings = graph_settings(migrated, identity, graph)
    graph.deliver(make_email())
    graph.throttle(1, 2)  # the reader's first request: 429, Retry-After: 2
    started = time.monotonic()
    async with running_service(settings) as url:
        await eventually(lambda: len(graph.sent) == 1, timeout=30)
        assert await graph_state(url) == "running"
    [throttled] = graph.throttled
    assert throttled >= started
    # Nothing was asked again before the two seconds were over, then the request was retried.
    after = [t for t in graph.times if t > throttled]
    assert after and after[0] - throttled >= 1.9, after[:1]
    assert await count(store, Ticket) == 1


async def test_a_wrong_client_secret_is_a_clear_operator_error_and_the_service_keeps_running(
    migrated: Settings,
    identity: FakeIdentity,
    graph: FakeGraph,
    store: Sessions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = "wrong-secret-must-never-show"
    settings = graph_settings(migrated, identity, graph, secret=wrong)
    caplog.set_level(logging.INFO)
    graph.deliver(make_email())
    async with running_service(settings) as url:
        await eventually(lambda: _state(url, "auth_failed"), timeout=30)
        health = await healthz(url)
        assert health["status"] == "degraded"
        detail = health["connectors"]["graph:csc"]["detail"]
        assert "AADSTS7000215" in detail and "client secret" in detail, detail
        # The rest of the service carries on: a mail dropped in the folder source is ticketed.
        settings.inbox.mkdir(parents=True, exist_ok=True)
        (settings.inbox / "a.eml").write_bytes(make_email(message_id="<folder@msss.example>"))
        await eventually(lambda: _tickets(store, 1), timeout=30)
        async with aiohttp.ClientSession() as http, http.get(url + "readyz") as response:
            ready = await response.json()
            assert response.status == 503
            assert wrong not in str(ready)
    assert graph.requests == [] and graph.sent == []
    assert len(graph.in_folder("inbox")) == 1  # left where it was
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "client secret" in logged
    assert wrong not in logged and SECRET not in logged


async def _state(url: str, wanted: str) -> bool:
    return await graph_state(url) == wanted


async def _tickets(store: Sessions, n: int) -> bool:
    return await count(store, Ticket) >= n


async def test_a_revoked_token_is_replaced_once_and_reading_goes_on(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph, store: Sessions
) -> None:
    settings = graph_settings(migrated, identity, graph)
    async with running_service(settings) as url:
        await eventually(lambda: _state(url, "running"), timeout=30)
        graph.deliver(make_email())
        await eventually(lambda: len(graph.sent) == 1, timeout=30)
        identity.revoke_all()  # e.g. an administrator revoked the application's sessions
        graph.deliver(make_email(message_id="<m2.example@msss.example>", subject="Imprimante"))
        await eventually(lambda: len(graph.sent) == 2, timeout=30)
        await eventually(lambda: len(graph.in_folder("Guichet/Traité")) == 2, timeout=30)
        assert await graph_state(url) == "running"
    assert await count(store, Ticket) == 2
    assert len(identity.tokens_for(CLIENT_ID)) == 4  # reader and sender: one new token each
    assert identity.refusals == []


async def test_a_mailbox_outside_the_access_policy_is_auth_failed_with_what_to_check(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph
) -> None:
    settings = graph_settings(migrated, identity, graph)
    box = settings.imap_mailboxes[0].model_copy(update={"username": "direction@itq.example"})
    settings = settings.model_copy(update={"imap_mailboxes": [box]})
    async with running_service(settings) as url:
        await eventually(lambda: _state(url, "auth_failed"), timeout=30)
        detail = (await healthz(url))["connectors"]["graph:csc"]["detail"]
        assert "ErrorAccessDenied" in detail and "application access policy" in detail, detail
    assert graph.requests == []


async def test_a_message_too_large_to_store_is_left_in_place_and_marked(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph, store: Sessions
) -> None:
    settings = graph_settings(migrated, identity, graph).model_copy(
        update={"max_message_bytes": 2000}
    )
    big = graph.deliver(make_email(body="Bonjour. " * 400))
    async with running_service(settings):
        await eventually(lambda: graph.categories.get(big), timeout=30)
        graph.deliver(make_email(message_id="<m2.example@msss.example>"))
        await eventually(lambda: len(graph.sent) == 1, timeout=30)
    assert graph.categories == {big: ["Guichet: rejected"]}
    assert big in graph.messages and graph.messages[big][0] == "inbox"
    assert await count(store, Ticket) == 1
