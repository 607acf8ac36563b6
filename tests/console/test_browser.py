"""The console in real Chromium (Debian's, never `playwright install`) against the running
service, on tickets opened by real mail: an agent's whole day on one ticket, the refusals, and
an attachment that must be downloaded, never rendered."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from playwright.async_api import Browser, expect
from sqlmodel import select

from bot.settings import Settings
from bot.store.db import Sessions
from bot.store.models import Role, Ticket
from bot.tickets import Language, Team
from tests.conftest import eventually, running_service
from tests.console.helpers import (
    account,
    events,
    mail_ticket,
    outbox_rows,
    signed_in_page,
)
from tests.mail import drop, make_email
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.slow

HOSTILE = "<img src=x onerror=alert(1)>.html"


def sent_saying(smtp: SmtpServer, words: str) -> list[EmailMessage]:
    """The mails the SMTP server accepted whose text holds `words`."""
    found = []
    for mail in smtp.handler.messages():
        body = mail.get_body(("plain",))
        if body is not None and words in body.get_content():
            found.append(mail)
    return found


async def _first_ticket(store: Sessions) -> Ticket | None:
    async with store() as session:
        return (await session.exec(select(Ticket))).first()


async def test_an_agent_works_a_mailed_ticket_from_the_queue_to_resolved(
    migrated: Settings, store: Sessions, browser: Browser, smtp_server: SmtpServer
) -> None:
    """Mail goes out through a real SMTP server: the requester's answer arrives there."""
    settings = migrated.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    async with running_service(settings) as url:
        await _a_day_on_one_ticket(url.rstrip("/"), settings, store, browser, smtp_server)


async def _a_day_on_one_ticket(
    service: str, migrated: Settings, store: Sessions, browser: Browser, smtp: SmtpServer
) -> None:
    drop(migrated.inbox, "a.eml", make_email())
    ticket = await eventually(lambda: _first_ticket(store))
    await eventually(lambda: len(smtp.handler.messages()) == 1)  # the acknowledgement
    number = str(ticket.number)
    email = await account(store, "lea@itq.example", teams=(str(ticket.team or "workstation"),))
    page = await signed_in_page(browser, service, email)
    await expect(page.get_by_role("link", name=number)).to_be_visible()
    await page.get_by_role("link", name=number).click()
    await expect(page.locator("h1")).to_contain_text(number)
    await expect(page.locator(".body").first).to_contain_text("Outlook plante au démarrage")
    await expect(page.locator("#proposal")).to_contain_text("%")  # the confidences
    marks = page.locator(".body").first.locator("mark")  # the evidence, in what was written
    await expect(marks.filter(has_text="plante")).to_have_count(1)
    await expect(marks.filter(has_text="Outlook")).to_have_count(1)

    await page.locator("#do-confirm").click()
    await expect(page).to_have_url(f"{service}/console/tickets/{number}")
    [confirmed] = [e for e in await events(store, number) if e.type == "severity_set"]
    assert confirmed.actor == f"console:{email}" and confirmed.data["confirmed"] is True

    rows = await outbox_rows(store)
    await page.get_by_label("Note interne").fill("Entre nous : c'est sûrement encore FS02")
    await page.locator("#do-note").click()
    await expect(page.locator("#log")).to_contain_text("Entre nous : c'est sûrement encore FS02")
    assert await outbox_rows(store) == rows

    await page.get_by_label("Réponse publique").fill("Redémarrez Outlook en mode sans échec.")
    await page.locator("#do-reply").click()
    [answer] = await eventually(lambda: sent_saying(smtp, "mode sans échec"))
    assert answer["To"].addresses[0].addr_spec == "jeanne.tremblay@msss.example"
    assert number in str(answer["Subject"])
    assert not sent_saying(smtp, "FS02")  # the note never left

    await page.locator("#do-assign").click()
    await expect(page.locator("#assignee")).to_have_text(email)
    await page.locator("#do-status-waiting_on_user").click()
    await expect(page.locator("#status")).to_have_text("en attente de votre réponse")
    await page.locator("#do-status-resolved").click()
    await expect(page.locator("#status")).to_have_text("résolu")
    logged = [(e.type, e.actor) for e in await events(store, number)]
    assert ("assigned", f"console:{email}") in logged
    moves = [e.data["to"] for e in await events(store, number) if e.type == "status_changed"]
    assert moves[-2:] == ["waiting_on_user", "resolved"]


async def test_signed_out_and_other_teams_are_refused(
    service: str, migrated: Settings, store: Sessions, browser: Browser
) -> None:
    ticket = await mail_ticket(migrated, store)
    assert ticket.team is not None
    visitor = await browser.new_page(locale="fr-CA")  # a Québec desk: the sign-in page in French
    await visitor.goto(f"{service}/console/tickets/{ticket.number}")
    await expect(visitor).to_have_url(f"{service}/console/login")
    other = next(t for t in Team if t != ticket.team)
    email = await account(store, "max@itq.example", teams=(other.value,), language=Language.EN)
    page = await signed_in_page(browser, service, email)
    await expect(page.locator("h1")).to_have_text("Ticket queue")
    await expect(page.get_by_role("link", name=str(ticket.number))).to_have_count(0)
    shown = await page.goto(f"{service}/console/tickets/{ticket.number}")
    assert shown is not None and shown.status == 403
    await expect(page.locator(".error")).to_contain_text("outside your teams")
    missing = await page.goto(f"{service}/console/tickets/CSC-999999")
    assert missing is not None and missing.status == 404


async def test_a_hostile_attachment_is_downloaded_and_hostile_text_is_shown_as_text(
    service: str, migrated: Settings, store: Sessions, browser: Browser
) -> None:
    raw = message_from_bytes(
        make_email(body="Voir la pièce <img src=x onerror=alert(2)> jointe."),
        policy=policy.default,
    )
    assert isinstance(raw, EmailMessage)
    raw.add_attachment(
        b"<script>alert(3)</script>", maintype="text", subtype="html", filename=HOSTILE
    )
    ticket = await mail_ticket(migrated, store, raw.as_bytes())
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    page = await signed_in_page(browser, service, lead)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.goto(f"{service}/console/tickets/{ticket.number}")
    await expect(page.locator(".body").first).to_contain_text("<img src=x onerror=alert(2)>")
    link = page.get_by_role("link", name=HOSTILE)
    async with page.expect_download() as waiting:
        await link.click()
    download = await waiting.value
    assert "onerror" in download.suggested_filename
    saved = await download.path()
    assert saved.read_bytes() == b"<script>alert(3)</script>"
    await expect(page).to_have_url(f"{service}/console/tickets/{ticket.number}")
    assert dialogs == []
