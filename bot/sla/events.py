"""From a ticket's log (``ticket_event`` rows) to the events the clocks understand. Pure.

The vocabulary the bot writes, and what each entry means for the clocks:

==================  =====================================  ===================================
event type          data                                   clock event
==================  =====================================  ===================================
``opened``          ``{message, channel, organisation}``   ``opened`` (the first one only)
``proposed``        ``{model, kind, severity, level,       the opening's severity when it comes
                    team}``                                with the opening; later, a
                                                           ``severity_set`` (ignored once an
                                                           agent has decided). Incidents only:
                                                           another kind means "no target".
``severity_set``    ``{from, to, by, kind, confirmed}``    ``severity_set`` to ``to`` (None:
                                                           no target, e.g. now a request)
``level_set``       ``{from, to, by}``                     none (read by the reports:
                                                           escalation past N1)
``status_changed``  ``{from, to}``                         see `status_clock_events`
``agent_reply``     ``{message}``, actor = the agent       ``answered(by=person)``
``bot_reply``       ``{message}``                          ``answered(by=bot)``
``sla_warning``     ``{threshold, due, fraction}``         none (the watcher's memory)
``assigned``        ``{from, to}``, actor = the agent      none (who took the ticket)
``team_set``        ``{from, to}``, actor = the agent      none (read by the reports)
``redirected``      ``{to}`` (catalogue id)                none (the status change stops it)
``outage_linked``   ``{outage}``                           none (the status change stops it)
``selfservice_*``   ``offered {article}``, ``confirmed     none (reports: first contact)
                    {answer, via}``, ``expired {after}``
``burst_*``         ``proposed {members, label}``,         none (the burst card's memory)
                    ``dismissed``
``message_added``   ``{message, reason}``                  none (a follow-up joined the ticket)
``note_added``      ``{message}``, actor = the agent       none (an internal note: never sent)
``not_on_ticket``   ``{claimed}``                          none (claimed someone else's ticket)
``ack_withheld``    ``{reason}``                           none (why no acknowledgement)
``automated_mail``  ``{message, automated}``               none (a bounce or auto-reply)
``merged_into``     ``{into, messages}``, actor = agent    none (the status change stops it)
``merged_from``     ``{duplicate, messages}``              none (the duplicate's mail joined)
==================  =====================================  ===================================

Every entry is written by `bot.tickets.log` (`EventType` is the vocabulary's one home).

Status changes: entering ``waiting_on_user`` pauses; leaving it for a working status resumes;
entering a finished status (``resolved``, ``closed``, ``redirected``, ``linked``) stops the
clock (the engine ends a pause there); leaving a finished status for any other reopens it
(and a reopening straight into ``waiting_on_user`` also pauses).

The bot's answers to the requester are its outbox rows for the requester's eyes once delivered
(`Audience.REQUESTER`: the acknowledgement and every later answer; not the staff notices).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from bot.sla.clock import ClockEvent, Responder
from bot.tickets.actions import proposed_severity
from bot.tickets.labels import FINISHED, Severity, Status
from bot.tickets.log import EventType
from bot.tickets.outbox import Audience

WAITING = Status.WAITING_ON_USER

# The log's vocabulary (`bot.tickets.log.EventType`), under the names its readers here use.
OPENED = EventType.OPENED
PROPOSED = EventType.PROPOSED
SEVERITY_SET = EventType.SEVERITY_SET
LEVEL_SET = EventType.LEVEL_SET
STATUS_CHANGED = EventType.STATUS_CHANGED
AGENT_REPLY = EventType.AGENT_REPLY
BOT_REPLY = EventType.BOT_REPLY
SLA_WARNING = EventType.SLA_WARNING
# Entries the clocks ignore (see the table above).
ASSIGNED = EventType.ASSIGNED
TEAM_SET = EventType.TEAM_SET
REDIRECTED = EventType.REDIRECTED
OUTAGE_LINKED = EventType.OUTAGE_LINKED
SELFSERVICE_OFFERED = EventType.SELFSERVICE_OFFERED
SELFSERVICE_CONFIRMED = EventType.SELFSERVICE_CONFIRMED
SELFSERVICE_EXPIRED = EventType.SELFSERVICE_EXPIRED
BURST_PROPOSED = EventType.BURST_PROPOSED
BURST_DISMISSED = EventType.BURST_DISMISSED


class LoggedEvent(Protocol):
    """What the mapping reads of a ``ticket_event`` row (`bot.store.models.TicketEvent` fits)."""

    @property
    def at(self) -> datetime: ...

    @property
    def type(self) -> str: ...

    @property
    def data(self) -> Mapping[str, Any]: ...


class SentRow(Protocol):
    """What the mapping reads of an ``outbox`` row (`bot.store.models.Outbox` fits)."""

    @property
    def audience(self) -> str: ...

    @property
    def sent_at(self) -> datetime | None: ...


def severity_of(value: object) -> Severity | None:
    """A stored severity ("P3"), or None for anything else (None, "None", "", unknown)."""
    try:
        return Severity(str(value))
    except ValueError:
        return None


def status_clock_events(at: datetime, old: str, new: str) -> list[ClockEvent]:
    """The clock events of one ``status_changed`` from ``old`` to ``new`` (often none)."""
    if old == new:
        return []
    if old in FINISHED:
        if new in FINISHED:
            return []  # resolved → closed: the clock stays stopped
        reopened = [ClockEvent.reopened(at)]
        return [*reopened, ClockEvent.paused(at)] if new == WAITING else reopened
    if new in FINISHED:
        return [ClockEvent.resolved(at)]
    if new == WAITING:
        return [ClockEvent.paused(at)]
    if old == WAITING:
        return [ClockEvent.resumed(at)]
    return []


def requester_answers(rows: Iterable[SentRow]) -> list[datetime]:
    """When the bot's messages to the requester were delivered (pending or dead rows: never)."""
    return sorted(
        row.sent_at
        for row in rows
        if row.sent_at is not None and row.audience == Audience.REQUESTER
    )


def clock_events(
    log: Sequence[LoggedEvent], bot_answers: Iterable[datetime] = ()
) -> list[ClockEvent]:
    """The clock events of one ticket, from its log in insertion order and its delivered answers.

    ``bot_answers`` are the delivery instants of the bot's messages to the requester (see
    `requester_answers`). Entries of unknown types are skipped, so new event types never break
    the clocks. Returns an empty list when the log has no ``opened`` entry.
    """
    opening = next((e for e in log if e.type == OPENED), None)
    if opening is None:
        return []
    severity: Severity | None = None
    decided = False  # an agent set the severity: later proposals no longer move the clock
    result: list[ClockEvent] = []
    for event in log:
        data = event.data
        match event.type:
            case "proposed" if event.at == opening.at and not result:
                severity = proposed_severity(data)
            case "proposed" if not decided:
                result.append(ClockEvent.severity_set(event.at, proposed_severity(data)))
            case "severity_set":
                decided = True
                result.append(ClockEvent.severity_set(event.at, severity_of(data.get("to"))))
            case "status_changed":
                old, new = str(data.get("from")), str(data.get("to"))
                result.extend(status_clock_events(event.at, old, new))
            case "agent_reply":
                result.append(ClockEvent.answered(event.at, Responder.PERSON))
            case "bot_reply":
                result.append(ClockEvent.answered(event.at, Responder.BOT))
            case _:
                pass
    answers = [ClockEvent.answered(at, Responder.BOT) for at in bot_answers]
    # An entry stamped before the opening (clocks of two workers a little apart) counts at the
    # opening rather than making the whole log unreadable.
    late = [e if e.at >= opening.at else replace(e, at=opening.at) for e in (*result, *answers)]
    return [ClockEvent.opened(opening.at, severity), *late]


def warned_thresholds(log: Iterable[LoggedEvent]) -> set[int]:
    """Thresholds already recorded by ``sla_warning`` events (the watcher never repeats one)."""
    found: set[int] = set()
    for event in log:
        if event.type == SLA_WARNING:
            try:
                found.add(int(event.data["threshold"]))
            except (KeyError, TypeError, ValueError):
                continue
    return found


def severity_decision(log: Iterable[LoggedEvent]) -> str | None:
    """How an agent first decided the proposed severity: "confirmed", "changed" or None (not yet).

    Only for tickets whose proposal was an incident with a severity.
    """
    proposed: Severity | None = None
    for event in log:
        if event.type == PROPOSED and proposed is None:
            proposed = proposed_severity(event.data)
        elif event.type == SEVERITY_SET:
            if proposed is None:
                return None
            same = severity_of(event.data.get("to")) == proposed
            return "confirmed" if same else "changed"
    return None


def reopen_count(log: Iterable[LoggedEvent]) -> int:
    """How many times the ticket left a finished status for a working one."""
    return sum(
        1
        for e in log
        if e.type == STATUS_CHANGED
        and str(e.data.get("from")) in FINISHED
        and str(e.data.get("to")) not in FINISHED
    )


def escalated(log: Iterable[LoggedEvent]) -> bool:
    """Whether the ticket was ever sent past N1 (a ``level_set`` to N2 or N3)."""
    return any(e.type == LEVEL_SET and str(e.data.get("to")) in ("N2", "N3") for e in log)
