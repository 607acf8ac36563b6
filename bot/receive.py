"""Step one of the flow: commit the raw bytes before anything is parsed or decided.

A message seen before is recognised here and never stored twice, so it can never make a second
ticket. "Seen before" means the same bytes (sha256), or the same Message-ID *from the same
sender* (a second delivery through another relay, with other trace headers). A Message-ID is
only the sender's promise of uniqueness (RFC 5322 §3.6.4): another sender reusing one, by
mistake or to hide a message behind it, gets their message stored and processed like any other.
A Slack message id (`slack:<team>:<channel>:<ts>`) comes from a signed request and names the
Slack message itself, so for Slack the id alone is the key (its event twins and retries share
it).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.faults import crash_point
from bot.store.bulk import insert_returning_ids
from bot.store.db import Sessions
from bot.store.models import Direction, Message, MessageState
from intake.errors import SenderError
from intake.mail.headers import first_address, one_message_id
from intake.mail.parse import read_headers
from intake.message import Channel, InboundMessage
from intake.slack.envelope import parse_envelope

log = logging.getLogger(__name__)

MAX_ID_BYTES = 500
"""Longer Message-IDs are not keys (the message dedupes by content only): the column's size,
and (with the sender) within what a PostgreSQL index entry can hold."""


@dataclass(frozen=True, slots=True)
class Received:
    message_id: int
    duplicate: bool


@dataclass(frozen=True, slots=True)
class _Key:
    """What names a message: its Message-ID (None: none usable) and, for email, its sender."""

    channel: str
    message_id: str | None
    sender: str
    by_id_alone: bool


async def store_raw(sessions: Sessions, inbound: InboundMessage) -> Received:
    """Store `inbound` as a `received` message row, or return the row it duplicates."""
    sha = hashlib.sha256(inbound.raw).hexdigest()
    key = _key(inbound)
    async with sessions() as session:
        existing = await _find(session, sha, key)
        if existing is not None:
            log.info("message from %s is a duplicate of message %s", inbound.source, existing)
            return Received(existing, duplicate=True)
        row = Message(
            direction=Direction.IN,
            channel=inbound.channel,
            state=MessageState.RECEIVED,
            source=inbound.source,
            source_ref=inbound.ref[:500],
            message_id=key.message_id,
            sha256=sha,
            raw=inbound.raw,
            sender=key.sender,
            received_at=inbound.received_at,
        )
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:  # the same message, committed by another reader meanwhile
            await session.rollback()
            existing = await _find(session, sha, key)
            if existing is None:
                raise
            return Received(existing, duplicate=True)
    crash_point("after-raw-commit")
    assert row.id is not None
    return Received(row.id, duplicate=False)


async def store_raw_batch(sessions: Sessions, inbounds: Sequence[InboundMessage]) -> list[Received]:
    """`store_raw` for many messages at once: one transaction, two look-ups and one bulk insert
    (a storm's intake). A message repeated inside the batch is stored once, like one seen
    before. Should another reader commit one of them meanwhile, each is stored on its own."""
    if len(inbounds) <= 1:
        return [await store_raw(sessions, inbound) for inbound in inbounds]
    shas = [hashlib.sha256(inbound.raw).hexdigest() for inbound in inbounds]
    keys = [_key(inbound) for inbound in inbounds]
    try:
        async with sessions() as session:
            known = await _find_many(session, shas, keys)
            out: list[Received | int] = []  # an int: the index of the batch's first copy
            first: dict[object, int] = {}
            fresh: list[dict[str, object]] = []
            for index, (inbound, sha, key) in enumerate(zip(inbounds, shas, keys, strict=True)):
                names = [("sha", sha)] + ([_name(key)] if key.message_id is not None else [])
                seen = next((known[n] for n in names if n in known), None)
                if seen is not None:
                    log.info("message from %s is a duplicate of message %s", inbound.source, seen)
                    out.append(Received(seen, duplicate=True))
                    continue
                twin = next((first[n] for n in names if n in first), None)
                if twin is not None:
                    out.append(twin)
                    continue
                first.update((n, index) for n in names)
                out.append(index)
                fresh.append(_row(inbound, sha, key))
            ids = []
            if fresh:
                # Read back by digest (distinct within `fresh`), not in parameter order: SQLite
                # cannot promise that order, so asking for it inserts one row per statement.
                ids = await insert_returning_ids(session, Message, fresh, key="sha256")
                await session.commit()
    except IntegrityError:  # another reader committed one of them meanwhile
        return [await store_raw(sessions, inbound) for inbound in inbounds]
    crash_point("after-raw-commit")
    made = dict(zip((i for i, r in enumerate(out) if r == i), ids, strict=True))
    return [
        r if isinstance(r, Received) else Received(made[r], duplicate=r != i)
        for i, r in enumerate(out)
    ]


def _row(inbound: InboundMessage, sha: str, key: _Key) -> dict[str, object]:
    """The columns of a new `received` row, as `store_raw` writes them."""
    return {
        "direction": Direction.IN,
        "channel": inbound.channel,
        "state": MessageState.RECEIVED,
        "source": inbound.source,
        "source_ref": inbound.ref[:500],
        "message_id": key.message_id,
        "sha256": sha,
        "raw": inbound.raw,
        "sender": key.sender,
        "received_at": inbound.received_at,
    }


def _name(key: _Key) -> tuple[str, str, str, str]:
    return ("id", key.channel, key.message_id or "", "" if key.by_id_alone else key.sender)


async def _find_many(
    session: AsyncSession, shas: Sequence[str], keys: Sequence[_Key]
) -> dict[object, int]:
    """The stored rows the batch's messages may repeat, by `("sha", sha)` and by `_name`."""
    inbound = Message.direction == Direction.IN
    known: dict[object, int] = {}
    by_sha = await session.exec(
        select(Message.sha256, Message.id).where(inbound, col(Message.sha256).in_(set(shas)))
    )
    for sha, row_id in by_sha.all():
        if row_id is not None:
            known[("sha", sha)] = row_id
    mids = {k.message_id for k in keys if k.message_id is not None}
    if mids:
        by_id = await session.exec(
            select(Message.id, Message.channel, Message.message_id, Message.sender)
            .where(inbound, col(Message.message_id).in_(mids))
            .order_by(col(Message.id))
        )
        for row_id, channel, mid, sender in by_id.all():
            if row_id is None:
                continue
            by_sender = sender if channel == Channel.EMAIL else ""  # see `_key`
            known.setdefault(("id", channel, mid or "", by_sender), row_id)
    return known


_KEY_HEADERS = frozenset({"message-id", "from", "sender"})


def _key(inbound: InboundMessage) -> _Key:
    """The Message-ID of an email with its From address (read from the headers only, as the
    parser reads them later); the `slack:<team>:<channel>:<ts>` of a Slack message."""
    if inbound.channel == Channel.EMAIL:
        headers = read_headers(inbound.raw, _KEY_HEADERS)
        mid, sender = None, ""
        if headers is not None:
            mid = one_message_id(headers.get("message-id"))
            sender = (
                first_address(headers.raw("from"))[1] or first_address(headers.raw("sender"))[1]
            )
        return _Key(inbound.channel, _usable(mid), sender[:320], by_id_alone=False)
    if inbound.channel == Channel.SLACK:
        try:
            mid = parse_envelope(inbound.raw).message_id
        except SenderError:
            mid = None  # kept and quarantined by the dispatcher, with the reason
        # The sender is filled in when the message is processed; until then the signed id
        # alone is unique, and the store's constraint guards it against a concurrent twin.
        return _Key(inbound.channel, _usable(mid), "", by_id_alone=True)
    return _Key(inbound.channel, None, "", by_id_alone=True)


def _usable(mid: str | None) -> str | None:
    if mid is None or len(mid.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        return None  # absurd ids dedupe by content only
    return mid


async def _find(session: AsyncSession, sha: str, key: _Key) -> int | None:
    inbound = Message.direction == Direction.IN
    same_bytes = await session.exec(
        select(Message.id).where(inbound, Message.sha256 == sha).limit(1)
    )
    found = same_bytes.first()
    if found is not None or key.message_id is None:
        return found
    same_id = select(Message.id).where(
        inbound, Message.channel == key.channel, Message.message_id == key.message_id
    )
    if not key.by_id_alone:
        same_id = same_id.where(Message.sender == key.sender)
    return (await session.exec(same_id.order_by(col(Message.id)).limit(1))).first()
