"""The merge rule's chain: a duplicate merged into a ticket that is itself merged later leads to
the last one kept."""

from __future__ import annotations

from sqlmodel import select

from bot.store.db import Sessions
from bot.store.models import Ticket
from bot.tickets.errors import TicketRuleError
from bot.tickets.merge import kept_numbers, merge
from tests.api.helpers import NOW
from tests.api.helpers import ticket as stored_ticket


async def test_merges_of_merges_lead_to_the_last_ticket_kept(store: Sessions) -> None:
    first, second, third = [await stored_ticket(store, s) for s in ("Un", "Deux", "Trois")]
    async with store() as session:
        by = {t.number: t for t in (await session.exec(select(Ticket))).all()}
        await merge(session, by[first], by[second], "console:cheffe@itq.example", NOW)
        await merge(session, by[second], by[third], "console:cheffe@itq.example", NOW)
        try:
            await merge(session, by[third], by[first], "console:cheffe@itq.example", NOW)
        except TicketRuleError as refused:
            assert refused.key == "rule.merge_merged"
        else:
            raise AssertionError("a merged ticket took a merge")
        await session.commit()
        assert await kept_numbers(session, {first, second, third, "CSC-999999"}) == {
            first: third,
            second: third,
        }
