"""The rows a batch only appends (log entries, attachments, outbox rows), and when they go in.

Nothing in the batch reads them back, so they are inserted with one statement per table rather
than the ORM's one per row: the rows added to the session (`insert_pending`), and the plain
acknowledgements, queued as column values (`insert_rows`). The acknowledgements wait for the
batch's last insert unless a write may queue a row to one of their recipients: one recipient's
rows are delivered in the order of their ids. What the batch's writes read of the outbox is
sent rows only (send caps, service-level clocks), so a row not yet inserted changes no answer;
and each early insert was a round trip on the store's one connection while it is held (about a
third of a storm's batch's statements).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.bulk import insert_pending, insert_rows
from bot.store.models import Attachment, Outbox, TicketEvent

APPENDED = (Attachment, TicketEvent, Outbox)


async def insert_appended(session: AsyncSession, acks: list[dict[str, Any]]) -> None:
    """Insert what the batch left pending, in the order it was queued: the rows added to the
    session (the writes that read the store add theirs before any plain acknowledgement that
    follows them), then the acknowledgements' rows (`acks` is emptied)."""
    await insert_pending(session, *APPENDED)
    await insert_rows(session, Outbox, acks)
    acks.clear()


async def before_a_read(
    session: AsyncSession, acks: list[dict[str, Any]], recipients: Collection[str], *, all_: bool
) -> None:
    """Before a write that reads the store: the session's pending rows go in (or the ORM would
    flush them one by one), and the acknowledgements too when `all_` or when one of them is for
    one of `recipients` (lower case), to whom the write may queue a row."""
    waiting = {str(row["recipient"]).lower() for row in acks}
    if all_ or not waiting.isdisjoint(recipients):
        await insert_appended(session, acks)
    else:
        await insert_pending(session, *APPENDED)
