"""An article nobody answers goes back to the agents after the wait; nothing is closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.selfservice.expiry import SelfServiceExpiry
from bot.store.db import Sessions
from bot.store.models import Requester, Ticket, TicketEvent

T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


async def _offered(store: Sessions, number: str, at: datetime) -> int:
    async with store() as session:
        requester = Requester(address=f"{number}@itq.example", organisation="itq", created_at=at)
        session.add(requester)
        await session.flush()
        ticket = Ticket(
            number=number,
            status="waiting_on_user",
            channel="email",
            language="fr",
            requester_id=requester.id or 0,
            organisation="itq",
            created_at=at,
            updated_at=at,
        )
        session.add(ticket)
        await session.flush()
        assert ticket.id is not None
        session.add(
            TicketEvent(
                ticket_id=ticket.id, at=at, type="selfservice_offered", data={"article": "vpn-home"}
            )
        )
        await session.commit()
        return ticket.id


async def test_unanswered_article_goes_back_to_agents_once(store: Sessions) -> None:
    late = await _offered(store, "CSC-000001", T0)
    recent = await _offered(store, "CSC-000002", T0 + timedelta(hours=20))
    expiry = SelfServiceExpiry(store, wait=timedelta(hours=24), now=lambda: T0)
    assert await expiry.check(T0 + timedelta(hours=25)) == 1
    assert await expiry.check(T0 + timedelta(hours=26)) == 0
    async with store() as session:
        statuses = {t.id: t.status for t in (await session.exec(select(Ticket))).all()}
        types = (
            await session.exec(
                select(TicketEvent.type)
                .where(TicketEvent.ticket_id == late)
                .order_by(col(TicketEvent.id))
            )
        ).all()
    assert statuses == {late: "open", recent: "waiting_on_user"}
    assert list(types) == ["selfservice_offered", "selfservice_expired", "status_changed"]
