"""What a batch writes back onto its messages: how each was read (sender, subject, text), what it
became (processed, automated) and the ticket it went to; the lease let go.

The batch's messages are not loaded as ORM objects: their states are read with one statement
(`bot.dispatch.prefetch.message_states`), and their outcomes written with one statement when
the batch ends, or before a write that reads the store (a status answer, a follow-up, a hook):
the store it reads is then as the ORM's own flush would have left it. Loading, changing and
flushing an ORM object for each message cost about twice as much as these two statements
(`docs/capacity.md`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dispatch.decide import Action
from bot.store.bulk import update_rows
from bot.store.db import storable_text
from bot.store.models import Message, MessageState

if TYPE_CHECKING:
    from bot.dispatch.tickets import Write


class Outcomes:
    """The batch's message rows, as they are to be written, until `write`."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def add(self, write: Write, ticket_id: int | None) -> None:
        """What `write` makes of its message: `ticket_id` is the ticket it goes to, if any."""
        incoming = write.incoming
        automated = write.decision.action == Action.AUTOMATED
        self._rows.append(
            {
                "id": write.message_id,
                "state": MessageState.AUTOMATED if automated else MessageState.PROCESSED,
                "ticket_id": ticket_id,
                "sender": incoming.sender[:320],
                "subject": storable_text(incoming.subject[:998]),
                "body": storable_text(incoming.body),
                "automated": incoming.automated,
                "thread_reason": write.decision.thread_reason,
                "lease_owner": None,
                "lease_until": None,
            }
        )

    async def write(self, session: AsyncSession) -> None:
        """Write what was added since the last time (the caller commits)."""
        rows, self._rows = self._rows, []
        await update_rows(session, Message, rows)


async def let_go(session: AsyncSession, ids: Sequence[int]) -> None:
    """Give up the lease on messages the batch found already done (another worker's)."""
    await update_rows(
        session, Message, [{"id": i, "lease_owner": None, "lease_until": None} for i in ids]
    )
