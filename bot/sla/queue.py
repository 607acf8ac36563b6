"""The queue's service-level filter: which unfinished tickets the SLA watcher has warned about.

The watcher (`bot.sla.watcher`) writes an ``sla_warning`` entry in the log at each threshold of
the restoration budget (50, 75, 90 %, and 100 % at breach). The queue reads those entries
instead of recomputing every ticket's clocks: *breached* once the 100 % warning is written, *at
risk* from the 75 % one until then. Finished tickets are in neither."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, and_, not_
from sqlmodel import col, select

from bot.sla.events import SLA_WARNING
from bot.store.models import Ticket, TicketEvent
from bot.tickets.labels import OPEN_STATUSES

AT_RISK_FROM = 75
BREACHED_AT = 100


class SlaState(StrEnum):
    BREACHED = "breached"
    AT_RISK = "at_risk"


def _warned_from(threshold: int) -> ColumnElement[bool]:
    """Tickets with a warning at `threshold` % or more (the ``(type, ticket_id)`` index)."""
    warned = select(col(TicketEvent.ticket_id)).where(
        col(TicketEvent.type) == SLA_WARNING.value,
        col(TicketEvent.data)["threshold"].as_integer() >= threshold,
    )
    return col(Ticket.id).in_(warned)


def in_state(state: SlaState) -> ColumnElement[bool]:
    unfinished = col(Ticket.status).in_(sorted(OPEN_STATUSES))
    if state is SlaState.BREACHED:
        return and_(unfinished, _warned_from(BREACHED_AT))
    return and_(unfinished, _warned_from(AT_RISK_FROM), not_(_warned_from(BREACHED_AT)))
