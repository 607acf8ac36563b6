"""Outcomes besides the agents' work: redirections, self-service answers, outage reports.

Read from a ticket's log (pure), then counted for the month's dashboard. The log entries:

=========================  ==========================================  ==========================
event type                 data                                        row field
=========================  ==========================================  ==========================
``redirected``             ``{to: <catalogue id>}``                    ``redirected_to``
``selfservice_offered``    ``{article: <slug>}``                       ``self_service="offered"``,
                                                                       ``article``
``selfservice_confirmed``  ``{answer: "solved"|"unsolved", via}``      ``self_service`` = answer
``selfservice_expired``    (no answer in time: back to the agents)     ``self_service="expired"``
``outage_linked``          ``{outage: <number>}``                      ``outage``
=========================  ==========================================  ==========================

A ticket taken back from ``redirected`` or ``linked`` (a ``status_changed`` to a working
status) is the desk's own again: its field goes back to None. A status change to ``redirected``
or ``linked`` without its entry still counts, with an empty destination or outage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.reports.rows import TicketRow
from bot.sla.events import LoggedEvent
from bot.tickets.labels import FINISHED
from bot.tickets.log import EventType

LINKED = "linked"

OFFERED, SOLVED, UNSOLVED, EXPIRED = "offered", "solved", "unsolved", "expired"


def _taken_back(event: LoggedEvent, status: str) -> bool:
    data = event.data
    return str(data.get("from")) == status and str(data.get("to")) not in FINISHED


def _entered(event: LoggedEvent, status: str) -> bool:
    return str(event.data.get("to")) == status and str(event.data.get("from")) != status


def redirected_to(log: Iterable[LoggedEvent]) -> str | None:
    """The catalogue id the ticket was redirected to; None if never, or taken back since."""
    return _sent_away(log, EventType.REDIRECTED, "to", EventType.REDIRECTED)


def linked_outage(log: Iterable[LoggedEvent]) -> str | None:
    """The outage the ticket reports (its number), even once resolved with it; None if never
    linked, or taken out of ``linked`` to be handled on its own."""
    return _sent_away(log, EventType.OUTAGE_LINKED, "outage", LINKED)


def _sent_away(log: Iterable[LoggedEvent], entry: str, key: str, status: str) -> str | None:
    """`data[key]` of the latest `entry` (empty when only the status says so); None if the
    ticket never entered `status`, or was taken back from it since."""
    found: str | None = None
    for event in log:
        if event.type == entry:
            found = str(event.data.get(key) or "")
        elif event.type == EventType.STATUS_CHANGED:
            if _entered(event, status) and found is None:
                found = ""
            elif _taken_back(event, status):
                found = None
    return found


def self_service(log: Iterable[LoggedEvent]) -> tuple[str | None, str | None]:
    """(state, article): "offered" (no answer yet), "solved" or "unsolved" per the requester's
    latest answer, or "expired" (no answer in time); and the slug of the last article offered.
    (None, None) if none was."""
    state: str | None = None
    article: str | None = None
    for event in log:
        if event.type == EventType.SELFSERVICE_OFFERED:
            state, article = OFFERED, str(event.data.get("article") or "")
        elif event.type == EventType.SELFSERVICE_CONFIRMED and state is not None:
            answer = str(event.data.get("answer"))
            if answer in (SOLVED, UNSOLVED):
                state = answer
        elif event.type == EventType.SELFSERVICE_EXPIRED and state == OFFERED:
            state = EXPIRED
    return state, article


@dataclass(frozen=True, slots=True)
class ArticleLine:
    article: str
    offered: int
    solved: int


@dataclass(frozen=True, slots=True)
class SelfService:
    """Knowledge-base articles offered to the month's tickets, and the requesters' answers."""

    offered: int = 0
    solved: int = 0
    unsolved: int = 0
    expired: int = 0  # no answer in time: back to the agents
    pending: int = 0  # still waiting for an answer when the report is made
    by_article: list[ArticleLine] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Share of the tickets offered an article that their requester confirmed solved."""
        return self.solved / self.offered if self.offered else None


def self_service_figures(rows: Sequence[TicketRow]) -> SelfService:
    offered = [r for r in rows if r.self_service is not None]
    states = Counter(r.self_service for r in offered)
    articles = Counter(r.article or "–" for r in offered)
    solved = Counter(r.article or "–" for r in offered if r.self_service == SOLVED)
    return SelfService(
        offered=len(offered),
        solved=states[SOLVED],
        unsolved=states[UNSOLVED],
        expired=states[EXPIRED],
        pending=states[OFFERED],
        by_article=[ArticleLine(a, n, solved[a]) for a, n in articles.most_common()],
    )


def redirections(rows: Sequence[TicketRow]) -> dict[str, int]:
    """Redirected tickets per destination (catalogue id; "–" when not said), most first."""
    return dict(Counter(r.redirected_to or "–" for r in rows if r.redirected).most_common())


def share(count: int, total: int) -> float | None:
    return count / total if total else None
