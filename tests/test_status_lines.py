"""A requester's status answer read from a real store (`bot.status.StatusDesk`): every open
ticket on its line, with its due time and the latest answer an agent wrote, and nothing of a
closed ticket or of someone else's. The logs and notes of all the tickets are read together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sla.policy import build_calendars, load_policy
from bot.status import StatusDesk, Viewer, status_label
from bot.store.db import Sessions
from bot.store.models import Message, Requester, Ticket, TicketEvent
from bot.tickets.log import EventType

JEANNE = "jeanne.tremblay@msss.example"
OPENED = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Québec


async def _desk_with_tickets(store: Sessions) -> None:
    async with store() as session:
        jeanne = Requester(address=JEANNE, organisation="msss", created_at=OPENED)
        marc = Requester(address="marc@msss.example", organisation="msss", created_at=OPENED)
        session.add_all([jeanne, marc])
        await session.flush()
        made = []
        for subject, status, owner in (
            ("Imprimante hors ligne", "open", jeanne),
            ("Accès au dossier partagé", "in_progress", jeanne),
            ("Écran noir", "closed", jeanne),
            ("Clavier brisé", "open", marc),
        ):
            ticket = Ticket(
                status=status,
                kind="incident",
                severity="P3",
                level="N1",
                team="workstation",
                channel="email",
                language="fr",
                subject=subject,
                requester_id=owner.id or 0,
                organisation="msss",
                created_at=OPENED,
                updated_at=OPENED,
            )
            session.add(ticket)
            await session.flush()
            ticket.number = f"CSC-{ticket.id:06d}"
            for type_, data in (
                (EventType.OPENED, {"message": None, "channel": "email"}),
                (EventType.PROPOSED, {"kind": "incident", "severity": "P3", "level": "N1"}),
            ):
                session.add(TicketEvent(ticket_id=ticket.id or 0, at=OPENED, type=type_, data=data))
            made.append(ticket)
        printer, _access, _closed, marcs = made
        for n, (ticket, body) in enumerate(
            (
                (printer, "Première réponse, dépassée."),
                (printer, "Nous remplaçons   le câble\n demain matin."),
                (marcs, "Un clavier neuf est en route."),
            )
        ):
            reply = Message(
                direction="in",
                channel="slack",
                state="processed",
                sha256=f"{n:064d}",
                raw=b"",
                ticket_id=ticket.id,
                body=body,
                received_at=OPENED,
            )
            session.add(reply)
            await session.flush()
            session.add(
                TicketEvent(
                    ticket_id=ticket.id or 0,
                    at=OPENED + timedelta(minutes=10 + n),
                    type=EventType.AGENT_REPLY,
                    actor="slack:U1",
                    data={"message": reply.id},
                )
            )
        await session.commit()


async def test_a_requesters_open_tickets_each_with_its_due_time_and_latest_agent_answer(
    store: Sessions,
) -> None:
    await _desk_with_tickets(store)
    policy = load_policy()
    desk = StatusDesk(policy, build_calendars(policy))
    async with store() as session:
        text = await desk.answer(
            session, [], Viewer(frozenset({JEANNE}), "fr"), OPENED + timedelta(hours=1)
        )
    heading, printer, access = text.splitlines()
    assert heading == "Vos billets ouverts :"
    assert printer.startswith(
        f"• CSC-000001 « Imprimante hors ligne » : {status_label('open', 'fr')}; échéance prévue "
    )
    assert printer.endswith("; dernière note : « Nous remplaçons le câble demain matin. ».")
    assert access.startswith(
        f"• CSC-000002 « Accès au dossier partagé » : {status_label('in_progress', 'fr')}; "
    )
    assert "dernière note" not in access
    assert "Écran noir" not in text and "clavier" not in text.lower()


async def test_a_named_ticket_is_described_alone(store: Sessions) -> None:
    await _desk_with_tickets(store)
    policy = load_policy()
    desk = StatusDesk(policy, build_calendars(policy))
    viewer = Viewer(frozenset({JEANNE}), "fr")
    async with store() as session:
        text = await desk.answer(session, ["CSC-000001"], viewer, OPENED + timedelta(hours=1))
    assert text.startswith("CSC-000001 « Imprimante hors ligne »")
    assert text.endswith("; dernière note : « Nous remplaçons le câble demain matin. ».")
    assert "\n" not in text
