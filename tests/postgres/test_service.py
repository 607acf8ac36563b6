"""The real service with `GUICHET_DATABASE_URL=postgresql+asyncpg://…`: mail dropped in its inbox
becomes tickets and acknowledgements; the same mail twice is one ticket; a reply joins its
ticket; a body holding a NUL character (PostgreSQL text cannot) is still ticketed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.settings import Settings
from bot.store.db import create_engine, sessions
from bot.store.models import Message, Ticket
from tests.conftest import eventually, running_service
from tests.mail import drop, make_email


async def test_mail_becomes_tickets_and_acknowledgements_on_postgresql(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUICHET_DATABASE_URL", postgres_url)
    settings = Settings(
        data_dir=tmp_path / "var", http_port=0, inbox_poll_seconds=0.05,
        mail_from="csc@itq.example", mail_domain="guichet.example",
    )  # fmt: skip
    assert settings.sqlalchemy_url == postgres_url
    engine = create_engine(postgres_url)
    store = sessions(engine)

    async def tickets() -> list[Ticket]:
        async with store() as session:
            return list((await session.exec(select(Ticket).order_by(col(Ticket.id)))).all())

    def acknowledgements() -> list[Path]:
        return sorted(settings.outbox.glob("*.eml"))

    async with running_service(settings):
        first = make_email()
        drop(settings.inbox, "a.eml", first)
        [opened] = await eventually(tickets)
        await eventually(acknowledgements)
        assert opened.number and opened.subject == "Mon Outlook ne s'ouvre plus"

        drop(settings.inbox, "again.eml", first)  # delivered twice
        reply = make_email(
            subject=f"RE: [{opened.number}] Mon Outlook ne s'ouvre plus",
            body="Toujours pareil ce midi.", message_id="<m2.example@msss.example>",
        )  # fmt: skip
        drop(settings.inbox, "b.eml", reply)
        odd = make_email(
            subject="Caractère nul", body="Le fichier contient \x00 un octet nul.",
            message_id="<m3.example@msss.example>",
        )  # fmt: skip
        drop(settings.inbox, "c.eml", odd)

        async def settled() -> list[Ticket] | None:
            found = await tickets()
            return found if len(found) == 2 and len(acknowledgements()) == 2 else None

        one, other = await eventually(settled)
        async with store() as session:
            joined = await session.exec(
                select(Message.body).where(Message.ticket_id == one.id, Message.direction == "in")
            )
            assert len(joined.all()) == 2  # the reply joined its ticket, the duplicate did not
            kept = await session.exec(
                select(Message.body).where(Message.ticket_id == other.id, Message.direction == "in")
            )
            assert "contient \ufffd un octet nul" in kept.one()
        assert other.subject == "Caractère nul"
        assert not list(settings.inbox.glob("*.eml"))
    await engine.dispose()
