"""Queuing a notice once per destination: the Slack announcement channel, each mail list.

Keys are ``outage:<number>:<seq>:slack`` and ``outage:<number>:<seq>:mail:<list>``; the outbox
key is unique, so a notice is never queued twice for a destination, and a key already present
is skipped (calling again is harmless). Later notices thread under the outage's first post
(`LINK`: the worker waits for it to be sent and fills in its ``ts``) and, by mail, answer the
first message sent to the same list (RFC 5322 §3.6.4 In-Reply-To and References).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outages import render
from bot.outbox_links import LINK
from bot.outbox_queue import queue
from bot.store.models import Outage, OutageNotice, Outbox
from bot.tickets.labels import language_of
from bot.tickets.outbox import NoticeKind
from intake.message import Channel, OutboundMessage
from nlp.labels import Language


@dataclass(frozen=True, slots=True)
class Broadcast:
    """Where outage notices go, built at start-up from the settings (`outage_*`, `public_url`).

    An empty Slack channel or no mail list turns that destination off; the status page is
    always there.
    """

    slack_channel: str = ""
    mail_lists: tuple[str, ...] = ()
    mail_domain: str = "guichet.invalid"
    """Right-hand side of our Message-IDs."""
    public_url: str = ""
    organisations: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Client organisations by id: (French name, English name). Declarations must name known
    ids (when any are configured); the status page shows the names."""

    def organisation_name(self, org_id: str, language: str) -> str:
        names = self.organisations.get(org_id)
        if not names:
            return org_id
        return names[1] if language_of(language) == Language.EN else names[0]

    @property
    def status_url(self) -> str:
        """The public status page (empty when the public URL is not configured)."""
        return f"{self.public_url.rstrip('/')}/status" if self.public_url else ""


def prefix(outage: Outage) -> str:
    return f"outage:{outage.number}:"


def slack_key(outage: Outage, seq: int) -> str:
    return f"{prefix(outage)}{seq}:slack"


def mail_key(outage: Outage, seq: int, address: str) -> str:
    return f"{prefix(outage)}{seq}:mail:{_list_part(address)}"


def _list_part(address: str) -> str:
    """The list's address in a key (hashed when too long for the key column)."""
    part = address.lower()
    return part if len(part) <= 120 else hashlib.sha256(part.encode()).hexdigest()


def message_id(outage: Outage, seq: int, domain: str) -> str:
    """Ours, and never one of the ticket-encoding ones: a reply must not land in a ticket."""
    number = (outage.number or "outage").lower()
    return f"outage.{number}.{seq}.{secrets.token_hex(6)}@{domain}"


async def queue_notice(
    session: AsyncSession,
    outage: Outage,
    notice: OutageNotice,
    broadcast: Broadcast,
    now: datetime,
) -> int:
    """Queue `notice` to every destination not queued yet; return how many rows were added."""
    earlier = await _broadcast_rows(session, outage)
    known = {key for key, _ in earlier}
    added = 0
    if broadcast.slack_channel:
        key = slack_key(outage, notice.seq)
        if key not in known:
            root = next((k for k, _ in earlier if k.endswith(":slack")), None)
            message = OutboundMessage(
                channel=Channel.SLACK,
                to=(broadcast.slack_channel,),
                subject=render.mail_subject(outage, notice),
                text=render.slack_text(outage, notice, status_url=broadcast.status_url),
                message_id=message_id(outage, notice.seq, broadcast.mail_domain),
                thread=f"{LINK}{root}" if root else None,
            )
            session.add(
                queue(message, kind=NoticeKind.OUTAGE_BROADCAST, key=key, ticket_id=None, now=now)
            )
            added += 1
    if broadcast.mail_lists:
        added += _queue_mail(session, outage, notice, broadcast, earlier, now)
    return added


def _queue_mail(
    session: AsyncSession,
    outage: Outage,
    notice: OutageNotice,
    broadcast: Broadcast,
    earlier: list[tuple[str, str]],
    now: datetime,
) -> int:
    """One mail per list (a bounce or a suppression of one list never holds up the others)."""
    subject = render.mail_subject(outage, notice)
    text = render.mail_text(outage, notice, status_url=broadcast.status_url)
    known = {key for key, _ in earlier}
    added = 0
    for address in dict.fromkeys(broadcast.mail_lists):
        key = mail_key(outage, notice.seq, address)
        if key in known:
            continue
        first = _first_mail_id(earlier, address)
        message = OutboundMessage(
            channel=Channel.EMAIL,
            to=(address,),
            subject=subject,
            text=text,
            message_id=message_id(outage, notice.seq, broadcast.mail_domain),
            in_reply_to=first,
            references=(first,) if first else (),
            # Lists and their members' robots should not answer a broadcast (RFC 2076).
            headers=(("Precedence", "bulk"), ("X-Guichet-Outage", outage.number or "")),
        )
        session.add(
            queue(message, kind=NoticeKind.OUTAGE_BROADCAST, key=key, ticket_id=None, now=now)
        )
        added += 1
    return added


async def _broadcast_rows(session: AsyncSession, outage: Outage) -> list[tuple[str, str]]:
    """(key, Message-ID) of the outage's broadcast rows already queued, oldest first."""
    rows = (
        await session.exec(
            select(Outbox.key, Outbox.payload)
            .where(
                col(Outbox.key).startswith(prefix(outage), autoescape=True),
                col(Outbox.ticket_id).is_(None),
            )
            .order_by(col(Outbox.id))
        )
    ).all()
    return [(key, str(payload.get("message_id", ""))) for key, payload in rows]


def _first_mail_id(earlier: list[tuple[str, str]], address: str) -> str | None:
    """The Message-ID of the first notice mailed to `address` (the thread's root), if any."""
    suffix = f":mail:{_list_part(address)}"
    return next((ident for key, ident in earlier if key.endswith(suffix) and ident), None)
