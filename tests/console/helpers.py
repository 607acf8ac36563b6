"""Setup for the console tests: accounts with real argon2 passwords, tickets opened by real
mail through the running service, a signed-in aiohttp client."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import aiohttp
from playwright.async_api import Browser, Page, expect
from sqlmodel import col, select

from bot.accounts import passwords
from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Account, Outbox, Role, Ticket, TicketEvent
from bot.tickets import Language
from tests.conftest import eventually
from tests.mail import drop, make_email

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def account(
    store: Sessions,
    email: str,
    role: Role = Role.AGENT,
    *,
    teams: tuple[str, ...] = (),
    language: Language = Language.FR,
) -> str:
    """A new account that signs in with `PASSWORD`; its email."""
    async with store() as session:
        session.add(
            Account(
                email=email,
                name=email.split("@")[0].title(),
                role=role,
                teams=list(teams),
                language=language,
                password_hash=passwords.hash(PASSWORD),
                created_at=NOW,
            )
        )
        await session.commit()
    return email


async def mail_ticket(settings: Settings, store: Sessions, raw: bytes | None = None) -> Ticket:
    """A ticket opened by a real mail (once its acknowledgement has left)."""
    drop(settings.inbox, "a.eml", raw or make_email())

    async def opened() -> Ticket | None:
        async with store() as session:
            found = (await session.exec(select(Ticket))).first()
        return found if found and list(settings.outbox.glob("*.eml")) else None

    found: Ticket = await eventually(opened)
    return found


async def events(store: Sessions, number: str) -> list[TicketEvent]:
    async with store() as session:
        ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        return list(
            (
                await session.exec(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id == ticket.id)
                    .order_by(col(TicketEvent.id))
                )
            ).all()
        )


async def outbox_rows(store: Sessions) -> int:
    async with store() as session:
        return len((await session.exec(select(Outbox.id))).all())


async def sign_in(http: aiohttp.ClientSession, base: str, email: str, password: str) -> int:
    """Sign in through the form as a browser would; the answer's status (303 when in)."""
    async with http.get(f"{base}/console/login") as form:
        token = CSRF.search(await form.text())
    assert token is not None
    async with http.post(
        f"{base}/console/login",
        data={"csrf": token.group(1), "email": email, "password": password},
        allow_redirects=False,
    ) as answer:
        return answer.status


async def signed_in_page(browser: Browser, base: str, email: str) -> Page:
    """A Chromium page signed in through the form, on the queue."""
    page = await browser.new_page(locale="fr-CA")  # a Québec desk: the sign-in page in French
    await page.goto(f"{base}/console/")
    await expect(page).to_have_url(f"{base}/console/login")
    await page.get_by_label("Adresse courriel").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page).to_have_url(f"{base}/console/")
    return page
