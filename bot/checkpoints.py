"""IMAP checkpoints kept in the store (the real `intake.imap.Checkpoints`)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.db import Sessions
from bot.store.models import MailboxCheckpoint
from intake.imap import Checkpoint


class StoreCheckpoints:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def load(self, mailbox: str) -> Checkpoint | None:
        async with self._sessions() as session:
            row = await session.get(MailboxCheckpoint, mailbox)
            return None if row is None else Checkpoint(row.uidvalidity, row.last_uid)

    async def save(self, mailbox: str, checkpoint: Checkpoint) -> None:
        async with self._sessions() as session:
            row = await session.get(MailboxCheckpoint, mailbox)
            if row is None:
                row = MailboxCheckpoint(
                    mailbox=mailbox, uidvalidity=0, last_uid=0, updated_at=datetime.now(UTC)
                )
                session.add(row)
            row.uidvalidity = checkpoint.uidvalidity
            row.last_uid = checkpoint.last_uid
            row.updated_at = datetime.now(UTC)
            await session.commit()
