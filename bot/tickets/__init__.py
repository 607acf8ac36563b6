"""The ticket domain: the concepts every feature package shares, as types with one home.

- `number`: `TicketNumber`, the one format of `CSC-000123`;
- `labels`: `Status`, `Kind`, `Severity`, `Level`, `Team`, `Language`, `Channel`;
- `errors`: `TicketRuleError`, a business rule refused, with a message key;
- `log`: the one writer of a ticket's log (`EventType`, the allowed status transitions);
- `outbox`: what an outbox row is for (`Audience`, `NoticeKind`).

`dispatch`, `sla`, `slack`, `outages`, `selfservice` and `reports` depend on this package, not
on each other's internals. This module imports nothing heavy: pure types only.
"""

from bot.tickets.labels import (
    Channel,
    Kind,
    Language,
    Level,
    Severity,
    Status,
    Team,
    language_of,
)
from bot.tickets.number import TicketNumber

__all__ = [
    "Channel",
    "Kind",
    "Language",
    "Level",
    "Severity",
    "Status",
    "Team",
    "TicketNumber",
    "language_of",
]
