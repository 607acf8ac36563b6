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
==================  =====================================  ===================================

Status changes: entering ``waiting_on_user`` pauses; leaving it for a working status resumes;
entering a finished status (``resolved``, ``closed``, ``redirected``, ``linked``) stops the
clock (the engine ends a pause there); leaving a finished status for any other reopens it
(and a reopening straight into ``waiting_on_user`` also pauses).

The bot's answers to the requester are its outbox rows once delivered: the acknowledgement
(``ack:CSC-…``) and any later row of the ticket except the staff notices (`STAFF_KEY_PREFIXES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from bot.sla.clock import ClockEvent, Responder
from nlp.labels import Kind, Severity

WAITING = "waiting_on_user"
FINISHED = frozenset({"resolved", "closed", "redirected", "linked"})
STAFF_KEY_PREFIXES = ("sla:", "report:", "card:")
"""Outbox keys of notices to staff, not answers to the requester."""

OPENED = "opened"
PROPOSED = "proposed"
SEVERITY_SET = "severity_set"
LEVEL_SET = "level_set"
STATUS_CHANGED = "status_changed"
AGENT_REPLY = "agent_reply"
BOT_REPLY = "bot_reply"
SLA_WARNING = "sla_warning"
# Entries the clocks ignore (see the table above); named here so every writer and reader agrees.
ASSIGNED = "assigned"
TEAM_SET = "team_set"
REDIRECTED = "redirected"
OUTAGE_LINKED = "outage_linked"
SELFSERVICE_OFFERED = "selfservice_offered"
SELFSERVICE_CONFIRMED = "selfservice_confirmed"
SELFSERVICE_EXPIRED = "selfservice_expired"
BURST_PROPOSED = "burst_proposed"
BURST_DISMISSED = "burst_dismissed"


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
    def key(self) -> str: ...

    @property
    def sent_at(self) -> datetime | None: ...


def severity_of(value: object) -> Severity | None:
    """A stored severity ("P3"), or None for anything else (None, "None", "", unknown)."""
    try:
        return Severity(str(value))
    except ValueError:
        return None


def proposed_severity(data: Mapping[str, Any]) -> Severity | None:
    """The restoration severity a ``proposed`` event gives: incidents only."""
    if str(data.get("kind")) != Kind.INCIDENT:
        return None
    return severity_of(data.get("severity"))


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
        if row.sent_at is not None and not row.key.startswith(STAFF_KEY_PREFIXES)
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
