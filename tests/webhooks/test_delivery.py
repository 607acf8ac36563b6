"""Issue 12: ticket events reach the operator's endpoints, signed, through the outbox.

The real service (`running_service`), a real mail in the inbox, the real tickets API, and a real
aiohttp receiver on loopback that checks the signature as a receiver would (HMAC-SHA256 of
"t.body", compared with `hmac.compare_digest`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Sequence

from sqlmodel import select

from bot.settings import Settings
from bot.settings_webhooks import WebhookEntry, WebhookEvent
from bot.store.db import Sessions
from bot.store.models import Outbox, OutboxStatus, Role, Ticket
from bot.tickets.outbox import Audience, NoticeKind
from tests.api.helpers import Api, account, client
from tests.conftest import eventually, running_service
from tests.mail import drop, make_email
from tests.webhooks.receiver import Received, receiver

SECRET = "k3y-for-tests-only-0123456789abcdef0123"


def with_hook(
    settings: Settings, url: str, events: Sequence[WebhookEvent] = (), timeout: float = 10
) -> Settings:
    entry = WebhookEntry.model_validate(
        {"name": "itsm", "url": url, "secret": SECRET, "events": [e.value for e in events],
         "timeout_seconds": timeout}
    )  # fmt: skip
    return settings.model_copy(update={"webhooks": [entry]})


def signed(got: Received) -> bool:
    """What a receiver checks: the HMAC of "t.body" under the shared secret, recent."""
    fields = dict(p.split("=", 1) for p in got.headers["X-Guichet-Signature"].split(","))
    expected = hmac.new(
        SECRET.encode(), fields["t"].encode() + b"." + got.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) < 60


async def opened_by_mail(settings: Settings, store: Sessions) -> str:
    drop(settings.inbox, "a.eml", make_email())

    async def number() -> str | None:
        async with store() as session:
            return (await session.exec(select(Ticket.number))).first()

    found: str | None = await eventually(number)
    return str(found)


async def webhook_rows(store: Sessions) -> list[Outbox]:
    async with store() as session:
        found = await session.exec(select(Outbox).where(Outbox.kind == NoticeKind.WEBHOOK))
        return list(found.all())


async def test_a_ticket_opened_by_mail_is_announced_signed(
    migrated: Settings, store: Sessions
) -> None:
    async with receiver() as hook, running_service(with_hook(migrated, hook.url)):
        number = await opened_by_mail(migrated, store)
        [got] = await eventually(lambda: hook.accepted("ticket.opened"))
    assert signed(got)
    body = got.json()
    assert body["event"] == "ticket.opened" and body["change"] is None
    assert body["id"] == got.delivery
    assert body["ticket"]["number"] == number and body["ticket"]["channel"] == "email"
    assert {"status", "severity", "team", "created_at", "to_confirm"} <= body["ticket"].keys()
    assert got.headers["Content-Type"].startswith("application/json")
    [row] = [r for r in await webhook_rows(store) if r.payload["subject"] == "ticket.opened"]
    assert (row.status, row.audience, row.recipient) == (
        OutboxStatus.SENT,
        Audience.INTEGRATION,
        "itsm",
    )
    assert SECRET not in str(row.payload) and row.ticket_id is None


async def test_changes_through_the_api_are_announced_and_internal_notes_are_not(
    migrated: Settings, store: Sessions
) -> None:
    async with receiver() as hook, running_service(with_hook(migrated, hook.url)) as url:
        number = await opened_by_mail(migrated, store)
        lead = await account(store, "cheffe@itq.example", Role.LEAD)
        async for api in client(url):
            await changes(api, number, lead)
        await eventually(lambda: len(hook.accepted("ticket.changed")) >= 2)
        await asyncio.sleep(1.5)  # the watcher reads every second: anything else has come
    changed = [r.json()["change"] for r in hook.accepted("ticket.changed")]
    assert all(signed(r) for r in hook.got)
    assert {"type": "status_changed", "actor": "console:cheffe@itq.example",
            "data": {"from": "new", "to": "in_progress"}} in changed  # fmt: skip
    types = [c["type"] for c in changed]
    assert "agent_reply" in types and "note_added" not in types
    assert "Secret de l'équipe" not in str([r.body for r in hook.got])
    last = hook.accepted("ticket.changed")[-1].json()["ticket"]
    assert last["number"] == number and last["status"] == "in_progress"
    assert len({r.delivery for r in hook.got}) == len(hook.got)  # one id per delivery


async def changes(api: Api, number: str, token: str) -> None:
    path = f"/api/v1/tickets/{number}"
    status, body, _ = await api.call("PATCH", path, token, body={"status": "in_progress"})
    assert status == 200, body
    note = {"body": "Secret de l'équipe : le routeur est en panne.", "internal": True}
    status, body, _ = await api.call("POST", path + "/notes", token, body=note)
    assert status == 201, body
    answer = {"body": "Nous regardons votre demande.", "internal": False}
    status, body, _ = await api.call("POST", path + "/notes", token, body=answer)
    assert status == 201, body


async def test_a_5xx_is_retried_with_the_same_delivery_id_until_accepted(
    migrated: Settings, store: Sessions
) -> None:
    async with (
        receiver([500, 500]) as hook,
        running_service(with_hook(migrated, hook.url, [WebhookEvent.OPENED])),
    ):
        await opened_by_mail(migrated, store)
        await eventually(hook.accepted)
        await asyncio.sleep(1.0)  # past the retry delay: a second delivery would have come
    assert [r.answered for r in hook.got] == [500, 500, 200]
    assert len({r.delivery for r in hook.got}) == 1
    assert len({r.body for r in hook.got}) == 1 and all(signed(r) for r in hook.got)
    [row] = await webhook_rows(store)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)


async def test_a_410_is_refused_for_good_and_not_retried(
    migrated: Settings, store: Sessions
) -> None:
    async with (
        receiver([410]) as hook,
        running_service(with_hook(migrated, hook.url, [WebhookEvent.OPENED])),
    ):
        await opened_by_mail(migrated, store)

        async def dead() -> list[Outbox]:
            return [r for r in await webhook_rows(store) if r.status == OutboxStatus.DEAD]

        found: list[Outbox] = await eventually(dead)
        [row] = found
        await asyncio.sleep(1.0)  # retries come within 0.5 s here: none must come
    assert [r.answered for r in hook.got] == [410]
    assert row.attempts == 1 and "HTTP 410" in (row.last_error or "")
    assert hook.url not in (row.last_error or "")


async def test_a_redirect_is_not_followed_and_refused_for_good(
    migrated: Settings, store: Sessions
) -> None:
    async with (
        receiver([307]) as hook,
        running_service(with_hook(migrated, hook.url, [WebhookEvent.OPENED])),
    ):
        await opened_by_mail(migrated, store)

        async def dead() -> list[Outbox]:
            return [r for r in await webhook_rows(store) if r.status == OutboxStatus.DEAD]

        found: list[Outbox] = await eventually(dead)
        [row] = found
        await asyncio.sleep(1.0)
    assert [r.answered for r in hook.got] == [307]
    assert "redirects are not followed" in (row.last_error or "")


async def test_a_slow_endpoint_times_out_and_is_tried_again(
    migrated: Settings, store: Sessions
) -> None:
    async with (
        receiver(delays=[3.0]) as hook,
        running_service(with_hook(migrated, hook.url, [WebhookEvent.OPENED], timeout=0.5)),
    ):
        await opened_by_mail(migrated, store)

        async def sent() -> list[Outbox]:
            return [r for r in await webhook_rows(store) if r.status == OutboxStatus.SENT]

        found: list[Outbox] = await eventually(sent)
        [row] = found
    assert row.attempts == 2 and "no answer within 0.5 s" in (row.last_error or "")
    assert len({r.delivery for r in hook.got}) == 1


async def test_an_unreachable_endpoint_is_retried_not_refused(
    migrated: Settings, store: Sessions
) -> None:
    async with receiver() as hook:
        closed = hook.url  # the port is free again once the receiver is gone
    async with running_service(with_hook(migrated, closed, [WebhookEvent.OPENED])):
        await opened_by_mail(migrated, store)

        async def tried_twice() -> list[Outbox]:
            return [r for r in await webhook_rows(store) if r.attempts >= 2]

        found: list[Outbox] = await eventually(tried_twice)
        [row] = found
    assert row.status == OutboxStatus.PENDING
    assert "itsm" in (row.last_error or "") and "127.0.0.1" not in (row.last_error or "")


def test_receivers_helper_matches_what_is_sent() -> None:
    from bot.webhooks.signature import sign, verify

    header = sign(SECRET, 1_700_000_000, b'{"a":1}')
    assert verify(SECRET, header, b'{"a":1}', now=1_700_000_100)
    assert not verify(SECRET, header, b'{"a":2}', now=1_700_000_100)
    assert not verify(SECRET, header, b'{"a":1}', now=1_700_000_000 + 301)  # a replay
    assert not verify("another-secret", header, b'{"a":1}', now=1_700_000_000)
    assert not verify(SECRET, "garbage", b'{"a":1}', now=1_700_000_000)
