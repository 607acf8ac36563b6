"""The ticket's labels as types: one home, imported by every feature package and the store.

Kind, severity, level and team are the triage guide's labels (defined by `nlp.labels`, which
proposes them); the channel is the transport a ticket came by (`intake.message.Channel`). The
status and the French/English choice are the ticket's own.
"""

from __future__ import annotations

from enum import StrEnum

from intake.message import Channel
from nlp.labels import Kind, Language, Level, Severity, Team

__all__ = [
    "FINISHED",
    "OPEN_STATUSES",
    "Channel",
    "Kind",
    "Language",
    "Level",
    "Severity",
    "Status",
    "Team",
    "language_of",
]


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_USER = "waiting_on_user"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REDIRECTED = "redirected"
    LINKED = "linked"


FINISHED = frozenset({Status.RESOLVED, Status.CLOSED, Status.REDIRECTED, Status.LINKED})
"""Statuses that stop the clocks (leaving one for another status reopens the ticket)."""
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_USER)
"""Statuses of a ticket still being worked on (a status question answers about these)."""


def language_of(value: str | None) -> Language:
    """English for `en`, `en-CA`, `en_US`…; French for anything else (French first)."""
    return Language.EN if (value or "").strip().lower().startswith("en") else Language.FR
