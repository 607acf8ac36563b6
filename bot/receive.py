"""Step one of the flow: commit the raw bytes before anything is parsed or decided.

A message seen before (same sha256 of its bytes, or same Message-ID) is recognised here and never
stored twice, so it can never make a second ticket.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.faults import crash_point
from bot.store.db import Sessions
from bot.store.models import Direction, Message, MessageState
from intake.errors import SenderError
from intake.mail.parse import message_id_of
from intake.message import Channel, InboundMessage
from intake.slack.envelope import parse_envelope

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Received:
    message_id: int
    duplicate: bool


async def store_raw(sessions: Sessions, inbound: InboundMessage) -> Received:
    """Store `inbound` as a `received` message row, or return the row it duplicates."""
    sha = hashlib.sha256(inbound.raw).hexdigest()
    mid = _message_id(inbound)
    if mid is not None and len(mid) > 500:
        mid = None  # absurd ids dedupe by content only
    async with sessions() as session:
        existing = await _find(session, sha, mid)
        if existing is not None:
            log.info("message from %s is a duplicate of message %s", inbound.source, existing)
            return Received(existing, duplicate=True)
        row = Message(
            direction=Direction.IN,
            channel=inbound.channel,
            state=MessageState.RECEIVED,
            source=inbound.source,
            source_ref=inbound.ref[:500],
            message_id=mid,
            sha256=sha,
            raw=inbound.raw,
            received_at=inbound.received_at,
        )
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            existing = await _find(session, sha, mid)
            if existing is None:
                raise
            return Received(existing, duplicate=True)
    crash_point("after-raw-commit")
    assert row.id is not None
    return Received(row.id, duplicate=False)


def _message_id(inbound: InboundMessage) -> str | None:
    """The key that names the message whatever delivered it: the Message-ID of an email, the
    `slack:<team>:<channel>:<ts>` of a Slack message (its event twins and retries share it)."""
    if inbound.channel == Channel.EMAIL:
        return message_id_of(inbound.raw)
    if inbound.channel == Channel.SLACK:
        try:
            return parse_envelope(inbound.raw).message_id
        except SenderError:
            return None  # kept and quarantined by the dispatcher, with the reason
    return None


async def _find(session: AsyncSession, sha: str, mid: str | None) -> int | None:
    same = Message.sha256 == sha
    clause = same if mid is None else or_(same, Message.message_id == mid)
    found = await session.exec(
        select(Message.id).where(Message.direction == Direction.IN, clause).limit(1)
    )
    return found.first()
