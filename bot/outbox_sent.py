"""Marking delivered outbox rows sent, with their record (an outbound `Message`), many rows in
one transaction: the lanes that finish a delivery while a commit is running, or while another
task holds the store's connection, are marked together by the next one (group commit). Each
delivery still waits until its own row is committed.

Should a record already exist (a row sent again after a lost lease), the rows of that commit
are marked one by one, each keeping the record it already has.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.outbox_links import posted_id
from bot.store.db import Sessions
from bot.store.models import Direction, Message, MessageState, Outbox, OutboxStatus
from intake.message import OutboundMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Sent:
    row_id: int
    attempts: int
    ticket_id: int | None
    message: OutboundMessage
    raw: bytes
    done: asyncio.Future[None]


class SentMarks:
    def __init__(
        self, sessions: Sessions, now: Callable[[], datetime], storable: Callable[[str], str]
    ) -> None:
        self._sessions = sessions
        self._now = now
        self._storable = storable
        self._waiting: list[_Sent] = []
        self._flusher: asyncio.Task[None] | None = None

    async def mark(self, row: Outbox, message: OutboundMessage, raw: bytes) -> None:
        """Mark `row` sent (its `attempts` counted once more); returns once committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Sent(row.id or 0, row.attempts, row.ticket_id, message, raw, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._waiting:
            taken: list[_Sent] = []
            try:
                try:
                    await self._write(taken)
                except IntegrityError:
                    for one in taken:
                        await self._write_one(one)
            except BaseException as exc:  # the store failed: each delivery sees it (its lease
                if not taken:  # brings the row back); never left waiting for ever
                    taken, self._waiting = self._waiting, []
                for one in taken:
                    if not one.done.done():
                        one.done.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise  # cancelled: the deliveries were told, the flusher ends
                continue
            for one in taken:
                if not one.done.done():
                    one.done.set_result(None)

    async def _write(self, taken: list[_Sent]) -> None:
        """Write the marks waiting once the store's connection is ours (`taken` is filled
        then: those that came while another task held it join this commit), or, when `taken`
        is given filled, just those."""
        now = self._now()
        async with self._sessions() as session:
            connection = await session.connection()
            if not taken:
                taken[:], self._waiting = self._waiting, []
            await connection.execute(
                update(Outbox)
                .where(col(Outbox.id) == bindparam("row_id"))
                .values(status=OutboxStatus.SENT, sent_at=now, attempts=bindparam("tries")),
                [{"row_id": one.row_id, "tries": one.attempts + 1} for one in taken],
            )
            await connection.execute(insert(Message), [self._record(one, now) for one in taken])
            await session.commit()

    async def _write_one(self, one: _Sent) -> None:
        try:
            await self._write([one])
        except IntegrityError:  # sent again after a lost lease: the record already exists
            async with self._sessions() as session:
                await session.exec(
                    update(Outbox)
                    .where(col(Outbox.id) == one.row_id)
                    .values(
                        status=OutboxStatus.SENT, sent_at=self._now(), attempts=one.attempts + 1
                    )
                )
                await session.commit()

    def _record(self, one: _Sent, now: datetime) -> dict[str, Any]:
        message = one.message
        return {
            "direction": Direction.OUT,
            "channel": message.channel,
            "state": MessageState.SENT,
            "source": "outbox",
            "source_ref": str(one.row_id),
            "message_id": posted_id(message, one.raw),
            "sha256": hashlib.sha256(one.raw).hexdigest(),
            "raw": one.raw,
            "ticket_id": one.ticket_id,
            "sender": "",
            "subject": self._storable(message.subject[:998]),
            "body": self._storable(message.text),
            "received_at": now,
        }
