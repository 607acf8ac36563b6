"""Builders for the outage tests: tickets with a real first message (email or Slack) in the store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.incoming import read_incoming
from bot.outages.broadcast import Broadcast
from bot.outages.draft import OutageDraft, OutageKind
from bot.outbox_queue import from_payload
from bot.store.db import Sessions
from bot.store.models import Direction, Message, MessageState, Outbox, Requester, Ticket
from intake.message import Channel, OutboundMessage
from intake.slack.envelope import SlackEnvelope, message_id_for
from tests.mail import make_email

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SLACK = "C0ANNOUNCE"
LISTS = ("tous-csc@itq.example", "pilotes@msss.example")
BROADCAST = Broadcast(
    slack_channel=SLACK,
    mail_lists=LISTS,
    mail_domain="guichet.example",
    public_url="https://guichet.example/",
)


def draft(**changes: object) -> OutageDraft:
    values: dict[str, object] = {
        "title_fr": "Courriel Outlook indisponible",
        "title_en": "Outlook email unavailable",
        "text_fr": "Les boîtes aux lettres ne répondent plus.",
        "text_en": "Mailboxes no longer respond.",
        "services": ("Outlook",),
        "team": "collaboration",
    }
    values.update(changes)
    return OutageDraft(**values)  # type: ignore[arg-type]


def planned(starts_at: datetime, **changes: object) -> OutageDraft:
    return draft(
        kind=OutageKind.PLANNED,
        starts_at=starts_at,
        title_fr="Mise à niveau du VPN",
        title_en="VPN upgrade",
        services=("VPN",),
        **changes,
    )


async def add_ticket(
    store: Sessions, n: int, *, language: str = "fr", channel: Channel = Channel.EMAIL
) -> Ticket:
    """A ticket opened by a requester's first message (email, or a Slack post)."""
    async with store() as session:
        ticket = await new_ticket(session, n, language=language, channel=channel)
        await session.commit()
        return ticket


async def new_ticket(
    session: AsyncSession, n: int, *, language: str = "fr", channel: Channel = Channel.EMAIL
) -> Ticket:
    """`add_ticket` inside the caller's transaction (the caller commits)."""
    address = f"personne{n}@msss.example"
    requester = Requester(
        address=address, name=f"Personne {n}", organisation="msss", language=language,
        created_at=NOW,
    )  # fmt: skip
    session.add(requester)
    await session.flush()
    assert requester.id is not None
    ticket = Ticket(
        status="open", kind="incident", channel=channel, language=language,
        subject="Outlook", requester_id=requester.id, organisation="msss",
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    session.add(ticket)
    await session.flush()
    assert ticket.id is not None
    ticket.number = f"CSC-{ticket.id:06d}"
    if channel == Channel.EMAIL:
        ident = f"<report{n}@msss.example>"
        raw = make_email(
            sender=f"Personne {n} <{address}>", message_id=ident, subject="Outlook en panne"
        )
    else:
        ts = f"1700000000.{n:06d}"
        ident = message_id_for("T1", "CSUPPORT", ts)
        raw = SlackEnvelope(
            kind="message", message_id=ident, event_id=f"Ev{n}", team="T1",
            channel="CSUPPORT", channel_type="channel", user=f"U{n}", text="Outlook down",
            ts=ts, user_email=address, user_name=f"Personne {n}",
        ).to_bytes()  # fmt: skip
    # Where the dispatcher would answer, stored when it opens the ticket.
    incoming = read_incoming(channel, raw, domain="invalid", attachment_cap=0)
    ticket.reply_to = incoming.reply.to_json()
    session.add(
        Message(
            direction=Direction.IN, channel=channel, state=MessageState.PROCESSED,
            message_id=ident.strip("<>"), sha256=hashlib.sha256(raw).hexdigest(), raw=raw,
            ticket_id=ticket.id, received_at=NOW,
        )
    )  # fmt: skip
    return ticket


async def outbox(store: Sessions, prefix: str = "outage:") -> dict[str, OutboundMessage]:
    """The queued notifications whose key starts with `prefix`, by key, in queuing order."""
    async with store() as session:
        rows = (
            await session.exec(
                select(Outbox).where(col(Outbox.key).startswith(prefix)).order_by(col(Outbox.id))
            )
        ).all()
    return {row.key: from_payload(row.payload) for row in rows}
