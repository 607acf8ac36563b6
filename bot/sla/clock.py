"""Service-level clocks derived from a ticket's event log. Pure: "now" is always a parameter.

Every figure is recomputed from the whole log each time, so nothing accumulates and nothing
drifts: a priority change recomputes the due time from the original opening with every pause
kept; a reopening continues the same clock (the time between resolution and reopening does not
count). Events after ``now`` are ignored, so the same log replays the clocks as of any instant.

Rules, from the triage guide and the seed:

- The restoration clock of an incident runs on its latest severity (the proposed one until an
  agent confirms or changes it), on that severity's calendar and budget. It starts at the
  opening, or at the calendar's next opening when the ticket arrives while it is closed.
- It stops while the ticket waits on the user (``paused`` .. ``resumed``) and at resolution
  (``resolved`` .. ``reopened``).
- Tickets without a severity (requests, questions) have no restoration target; their elapsed
  time (time to resolve, pauses excluded) is measured on the policy's ``untargeted_calendar``.
- "Answer a user" is measured from the opening to the first answer of any kind (the bot's
  acknowledgement counts) and to the first answer by a person, in business seconds on the
  answer calendar (07:30–17:00 by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from bot.sla.calendar import Calendar, require_aware
from bot.sla.errors import ClockInputError
from bot.sla.policy import Policy
from nlp.labels import Severity


class EventType(StrEnum):
    OPENED = "opened"
    SEVERITY_SET = "severity_set"
    PAUSED = "paused"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    ANSWERED = "answered"


class Responder(StrEnum):
    """Who answered the user: the bot (acknowledgement, self-service answer) or a person."""

    BOT = "bot"
    PERSON = "person"


@dataclass(frozen=True)
class ClockEvent:
    """One entry of a ticket's log, as the clocks see it.

    ``severity`` goes with ``opened`` (optional: the proposed severity) and ``severity_set``
    (``None`` there means the ticket no longer has a restoration target, e.g. it was reclassified
    as a request). ``by`` is required with ``answered``. Build them with the class methods.
    """

    at: datetime
    type: EventType
    severity: Severity | None = None
    by: Responder | None = None

    def __post_init__(self) -> None:
        require_aware(self.at, f"{self.type.value} event time")
        if self.severity is not None and self.type not in (
            EventType.OPENED,
            EventType.SEVERITY_SET,
        ):
            raise ClockInputError(f"a {self.type.value} event carries no severity")
        if (self.by is None) == (self.type is EventType.ANSWERED):
            raise ClockInputError("an answered event needs by=bot|person, and only it takes one")

    @classmethod
    def opened(cls, at: datetime, severity: Severity | None = None) -> ClockEvent:
        return cls(at, EventType.OPENED, severity=severity)

    @classmethod
    def severity_set(cls, at: datetime, severity: Severity | None) -> ClockEvent:
        return cls(at, EventType.SEVERITY_SET, severity=severity)

    @classmethod
    def paused(cls, at: datetime) -> ClockEvent:
        return cls(at, EventType.PAUSED)

    @classmethod
    def resumed(cls, at: datetime) -> ClockEvent:
        return cls(at, EventType.RESUMED)

    @classmethod
    def resolved(cls, at: datetime) -> ClockEvent:
        return cls(at, EventType.RESOLVED)

    @classmethod
    def reopened(cls, at: datetime) -> ClockEvent:
        return cls(at, EventType.REOPENED)

    @classmethod
    def answered(cls, at: datetime, by: Responder) -> ClockEvent:
        return cls(at, EventType.ANSWERED, by=by)


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # waiting on the user
    STOPPED = "stopped"  # resolved
    BREACHED = "breached"  # running past its due instant


@dataclass(frozen=True)
class Clocks:
    """All clocks of one ticket as of ``as_of``. Seconds are open seconds on ``calendar``.

    ``calendar`` is the policy's name for the restoration calendar in force (the untargeted
    calendar without a target): give ``calendars[clocks.calendar]`` to `warnings_due`.

    ``due`` is the restoration due instant. It is ``None`` without a target, and while the clock
    is stopped (paused or resolved) with budget left: it depends on when the clock restarts.
    Once the budget is spent, ``due`` is the instant it ran out and never moves again (until a
    severity change). ``remaining_seconds`` goes negative past the due instant.
    ``paused_seconds`` is the open time spent waiting on the user (resolved periods excluded),
    so ``elapsed + paused + resolved periods == business_seconds(opened_at, as_of)``.
    ``met`` is None while undecided, False once breached, True when resolved in time.
    The answer figures are ``None`` until the answer comes; ``*_met`` is False as soon as the
    target has passed without an answer.
    """

    as_of: datetime
    opened_at: datetime
    started_at: datetime
    severity: Severity | None
    calendar: str
    budget_seconds: float | None
    due: datetime | None
    elapsed_seconds: float
    paused_seconds: float
    remaining_seconds: float | None
    fraction: float | None
    state: ClockState
    breached: bool
    met: bool | None
    resolved_at: datetime | None
    first_answer_seconds: float | None
    first_person_answer_seconds: float | None
    first_answer_met: bool | None
    first_person_answer_met: bool | None

    @property
    def has_target(self) -> bool:
        return self.budget_seconds is not None


Interval = tuple[datetime, datetime]
# An active stretch of the clock; an end of None means "still running, open-ended".
Segment = tuple[datetime, datetime | None]


def _merge(stops: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(stops):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def active_segments(
    opened: datetime, stops: Iterable[Interval], end: datetime | None
) -> list[Segment]:
    """``[opened, end)`` minus the stops, in order; ``end=None`` leaves the last one open."""
    segments: list[Segment] = []
    cursor = opened
    for start, stop_end in _merge(stops):
        if end is not None and start >= end:
            break
        if start > cursor:
            segments.append((cursor, start))
        cursor = max(cursor, stop_end)
    if end is None:
        segments.append((cursor, None))
    elif cursor < end:
        segments.append((cursor, end))
    return segments


def exhaustion(
    calendar: Calendar, budget_seconds: float, segments: Sequence[Segment]
) -> tuple[datetime | None, bool]:
    """When the budget runs out over the active segments, and whether the clock ran past it.

    Returns ``(instant, overrun)``: the instant is None if the budget is not spent within
    closed segments; ``overrun`` is True when some active time lies after that instant.
    """
    remaining = budget_seconds
    for index, (start, end) in enumerate(segments):
        candidate = calendar.add_business_seconds(start, remaining)
        if end is None:  # still running: the projected due instant, not an overrun
            return candidate, False
        if candidate <= end:
            return candidate, candidate < end or index + 1 < len(segments)
        remaining -= calendar.business_seconds(start, end)
    return None, False


def due_at(
    priority: Severity,
    opened: datetime,
    pauses: Iterable[Interval],
    policy: Policy,
    calendars: Mapping[str, Calendar],
) -> datetime:
    """Restoration due instant for ``priority`` opened at ``opened`` with closed ``pauses``.

    Pauses may overlap, or start before the opening (only the part after it counts); a pause
    that ends before it starts is a `ClockInputError`. The result is in the policy time zone.
    """
    opened = require_aware(opened, "opened").astimezone(UTC)
    checked: list[Interval] = []
    for start, end in pauses:
        require_aware(start, "pause start")
        require_aware(end, "pause end")
        if end < start:
            raise ClockInputError(
                f"pause ends ({end.isoformat()}) before it starts ({start.isoformat()})"
            )
        checked.append((start.astimezone(UTC), end.astimezone(UTC)))
    target = policy.target(priority)
    calendar = calendars[target.calendar]
    due, _ = exhaustion(calendar, target.budget_seconds, active_segments(opened, checked, None))
    assert due is not None  # the last segment is open-ended
    return due


@dataclass
class _Replay:
    """The log folded into what the arithmetic needs."""

    opened_at: datetime
    severity: Severity | None
    pauses: list[Interval]
    resolutions: list[Interval]
    paused_since: datetime | None = None
    resolved_since: datetime | None = None
    first_answer: datetime | None = None
    first_person_answer: datetime | None = None


def _replay(events: Iterable[ClockEvent], now: datetime) -> _Replay:
    # In UTC from here on: aware datetimes sharing a tzinfo compare by wall clock, ignoring
    # `fold`, so 01:10 EST would sort before 01:50 EDT on the night the clocks go back.
    in_utc = (replace(e, at=e.at.astimezone(UTC)) for e in events)
    ordered = sorted((e for e in in_utc if e.at <= now), key=lambda e: e.at)
    opening = next((e for e in ordered if e.type is EventType.OPENED), None)
    if opening is None:
        raise ClockInputError("the event log has no opened event at or before now")
    if ordered[0].at < opening.at:
        raise ClockInputError(
            f"a {ordered[0].type.value} event ({ordered[0].at.isoformat()}) comes before "
            f"the opening ({opening.at.isoformat()})"
        )
    log = _Replay(opened_at=opening.at, severity=opening.severity, pauses=[], resolutions=[])
    for event in ordered:
        at = event.at
        match event.type:
            case EventType.SEVERITY_SET:
                log.severity = event.severity
            case EventType.PAUSED if log.paused_since is None and log.resolved_since is None:
                log.paused_since = at
            case EventType.RESUMED if log.paused_since is not None:
                log.pauses.append((log.paused_since, at))
                log.paused_since = None
            case EventType.RESOLVED if log.resolved_since is None:
                if log.paused_since is not None:
                    log.pauses.append((log.paused_since, at))
                    log.paused_since = None
                log.resolved_since = at
            case EventType.REOPENED if log.resolved_since is not None:
                log.resolutions.append((log.resolved_since, at))
                log.resolved_since = None
            case EventType.ANSWERED:
                if log.first_answer is None:
                    log.first_answer = at
                if event.by is Responder.PERSON and log.first_person_answer is None:
                    log.first_person_answer = at
            case _:  # a second opening, or a pause/resume/reopen out of turn: no effect
                pass
    return log


def _answer(
    calendar: Calendar, opened: datetime, answered: datetime | None, now: datetime, target: float
) -> tuple[float | None, bool | None]:
    if answered is not None:
        seconds = calendar.business_seconds(opened, answered)
        return seconds, seconds <= target
    waited = calendar.business_seconds(opened, now)
    return None, (False if waited > target else None)


def compute_clocks(
    events: Iterable[ClockEvent],
    policy: Policy,
    calendars: Mapping[str, Calendar],
    now: datetime,
) -> Clocks:
    """Every clock of one ticket as of ``now``, from its event log.

    The log may come in any order: it is sorted by instant, events at the same instant keeping
    their log order.

    ``calendars`` maps the policy's calendar names to calendars (see
    `bot.sla.policy.build_calendars`). Raises `ClockInputError` on naive datetimes, on a log
    without an opening at or before ``now``, or with events before the opening.
    """
    now = require_aware(now, "now").astimezone(UTC)
    log = _replay(events, now)
    target = policy.target(log.severity) if log.severity is not None else None
    calendar_name = target.calendar if target else policy.untargeted_calendar
    calendar = calendars[calendar_name]
    zone = calendar.time_zone

    open_stop = log.paused_since or log.resolved_since
    stops = [*log.pauses, *log.resolutions]
    if open_stop is not None:
        stops.append((open_stop, now))
    segments = active_segments(log.opened_at, stops, now)
    elapsed = sum(calendar.business_seconds(start, end or now) for start, end in segments)
    paused = sum(calendar.business_seconds(start, end) for start, end in log.pauses)
    if log.paused_since is not None:
        paused += calendar.business_seconds(log.paused_since, now)

    due: datetime | None = None
    breached = False
    budget = remaining = fraction = None
    if target is not None:
        budget = target.budget_seconds
        remaining, fraction = budget - elapsed, elapsed / budget
        spent_at, breached = exhaustion(calendar, budget, segments)
        if spent_at is not None:
            due = spent_at
        elif open_stop is None:
            # Running with budget left: project over the open-ended last segment.
            running = active_segments(log.opened_at, stops, None)
            due, _ = exhaustion(calendar, budget, running)

    if log.resolved_since is not None:
        state = ClockState.STOPPED
    elif log.paused_since is not None:
        state = ClockState.PAUSED
    else:
        state = ClockState.BREACHED if breached else ClockState.RUNNING
    met: bool | None = None
    if target is not None and (breached or log.resolved_since is not None):
        met = not breached

    answer_calendar = calendars[policy.answer.calendar]
    answer_target = policy.answer.seconds
    first_any, any_met = _answer(
        answer_calendar, log.opened_at, log.first_answer, now, answer_target
    )
    first_person, person_met = _answer(
        answer_calendar, log.opened_at, log.first_person_answer, now, answer_target
    )
    return Clocks(
        as_of=now.astimezone(zone),
        opened_at=log.opened_at.astimezone(zone),
        started_at=calendar.next_open(log.opened_at),
        severity=log.severity,
        calendar=calendar_name,
        budget_seconds=budget,
        due=due.astimezone(zone) if due is not None else None,
        elapsed_seconds=elapsed,
        paused_seconds=paused,
        remaining_seconds=remaining,
        fraction=fraction,
        state=state,
        breached=breached,
        met=met,
        resolved_at=log.resolved_since.astimezone(zone) if log.resolved_since else None,
        first_answer_seconds=first_any,
        first_person_answer_seconds=first_person,
        first_answer_met=any_met,
        first_person_answer_met=person_met,
    )
