"""Merging a duplicate from the console: one person's two tickets become one, mail naming the
duplicate goes to the kept ticket, and what the rules refuse is said on the page."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
from sqlmodel import col, select

from bot.reports.collect import Period, collect
from bot.settings import Settings
from bot.sla.policy import build_calendars, default_policy
from bot.store.db import Sessions
from bot.store.models import Message, Role, Ticket
from bot.tickets import Status
from tests.conftest import eventually
from tests.console.helpers import CSRF, PASSWORD, account, events, sign_in
from tests.mail import drop, make_email


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)


async def tickets(store: Sessions) -> list[Ticket]:
    async with store() as session:
        return list((await session.exec(select(Ticket).order_by(col(Ticket.id)))).all())


async def messages_of(store: Sessions, ticket_id: int | None) -> list[Message]:
    async with store() as session:
        found = await session.exec(select(Message).where(Message.ticket_id == ticket_id))
        return list(found.all())


async def test_a_duplicate_is_merged_and_mail_naming_it_joins_the_kept_ticket(
    service: str, migrated: Settings, store: Sessions
) -> None:
    drop(migrated.inbox, "a.eml", make_email(message_id="<a@msss.example>"))

    async def count(n: int) -> list[Ticket] | None:
        found = await tickets(store)
        return found if len(found) == n else None

    await eventually(lambda: count(1))
    drop(
        migrated.inbox,
        "b.eml",
        make_email(
            subject="Outlook encore",
            body="Rebonjour, Outlook plante toujours, le calendrier ne répond plus.",
            message_id="<b@msss.example>",
        ),
    )
    kept, duplicate = await eventually(lambda: count(2))
    drop(
        migrated.inbox,
        "other.eml",
        make_email(sender="Paul <paul@msss.example>", message_id="<p@msss.example>"),
    )
    other = (await eventually(lambda: count(3)))[2].number
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    url = f"{service}/console/tickets/{duplicate.number}/merge"
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, lead, PASSWORD) == 303
        async with http.get(f"{service}/console/tickets/{duplicate.number}") as page:
            token = CSRF.search(await page.text())
        assert token is not None
        csrf = token.group(1)
        for into, status, said in [
            (duplicate.number, 409, "fusionné avec lui-même"),
            (other, 409, "viennent de personnes différentes"),
            ("CSC-999999", 400, "introuvable"),
        ]:
            async with http.post(
                url, data={"csrf": csrf, "value": into}, allow_redirects=False
            ) as answer:
                assert answer.status == status, into
                assert said in html.unescape(await answer.text())
        async with http.post(
            url, data={"csrf": csrf, "value": str(kept.number).lower()}, allow_redirects=False
        ) as answer:
            assert answer.status == 303
            assert answer.headers["Location"] == f"/console/tickets/{kept.number}"
        async with http.post(
            url, data={"csrf": csrf, "value": kept.number}, allow_redirects=False
        ) as answer:
            assert answer.status == 409 and "déjà été fusionné" in html.unescape(
                await answer.text()
            )
        async with http.get(f"{service}/console/", params={"q": "calendrier"}) as page:
            found = await page.text()
        assert kept.number in found

    merged = (await tickets(store))[1]
    assert merged.status == Status.CLOSED and merged.merged_into_id == kept.id
    assert await messages_of(store, merged.id) == []
    moved = [m for m in await messages_of(store, kept.id) if m.direction == "in"]
    assert {m.message_id for m in moved} == {"a@msss.example", "b@msss.example"}
    [into] = [e for e in await events(store, str(merged.number)) if e.type == "merged_into"]
    assert into.actor == "console:cheffe@itq.example" and into.data["into"] == kept.number
    [came] = [e for e in await events(store, str(kept.number)) if e.type == "merged_from"]
    assert came.data["duplicate"] == merged.number
    # the monthly report counts one problem once: the ticket kept, not its duplicate
    now = datetime.now(UTC)
    policy = default_policy()
    async with store() as session:
        zone = ZoneInfo(policy.time_zone)
        period = Period.month(f"{now.astimezone(zone):%Y-%m}", zone, now)
        rows = await collect(session, period, policy, build_calendars(policy))
    counted = {row.number for row in rows["msss"]}
    assert kept.number in counted and merged.number not in counted

    # the person answers the duplicate's acknowledgement: it joins the kept ticket
    drop(
        migrated.inbox,
        "c.eml",
        make_email(
            subject=f"RE: [{merged.number}] Outlook encore",
            body="Toujours pareil.",
            message_id="<c@msss.example>",
        ),
    )

    async def joined() -> bool | None:
        found = [m for m in await messages_of(store, kept.id) if m.message_id == "c@msss.example"]
        return True if found else None

    assert await eventually(joined)
    assert len(await tickets(store)) == 3  # no new ticket
