"""Graph delta links kept in the store (the real `intake.graph.DeltaLinks`)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.db import Sessions
from bot.store.models import GraphDeltaLink


class StoreDeltaLinks:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def load(self, mailbox: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(GraphDeltaLink, mailbox)
            return None if row is None else row.link

    async def save(self, mailbox: str, link: str) -> None:
        async with self._sessions() as session:
            row = await session.get(GraphDeltaLink, mailbox)
            if row is None:
                row = GraphDeltaLink(mailbox=mailbox, link=link, updated_at=datetime.now(UTC))
                session.add(row)
            row.link = link
            row.updated_at = datetime.now(UTC)
            await session.commit()
