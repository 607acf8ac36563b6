"""Which service-level warnings are due now: 50 %, 75 %, 90 % of the budget, and breach.

The pure decision only; the bot delivers to the assigned team and records what it sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.sla.calendar import Calendar, require_aware
from bot.sla.clock import Clocks, ClockState

DEFAULT_THRESHOLDS = (50, 75, 90, 100)


def warnings_due(
    clocks: Clocks,
    already_sent: Iterable[int],
    now: datetime,
    calendar: Calendar,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
) -> list[int]:
    """Warning thresholds (percent of the restoration budget) to deliver now, ascending.

    ``clocks`` must be computed for the same ``now``; ``calendar`` is the ticket's restoration
    calendar (``calendars[clocks.calendar]``). Nothing is due without a target, while the clock
    is paused or stopped, or while the calendar is closed (a threshold crossed at night is
    delivered at the next opening). A threshold below 100 is due once the used share reaches
    it; 100 is due once the ticket is breached (past its due instant). Thresholds in
    ``already_sent`` are never returned again. When several are due at once (the watcher was
    down), all are returned: deliver one message for the highest and record them all as sent.
    """
    require_aware(now, "now")
    budget = clocks.budget_seconds
    if budget is None or clocks.state in (ClockState.PAUSED, ClockState.STOPPED):
        return []
    if not calendar.is_open(now):
        return []
    sent = set(already_sent)
    due: list[int] = []
    for threshold in sorted(thresholds):
        if threshold in sent:
            continue
        # Compare in whole units to avoid 0.9 * 100 != 90 style float surprises.
        reached = (
            clocks.breached
            if threshold >= 100
            else (clocks.elapsed_seconds * 100 >= threshold * budget)
        )
        if reached:
            due.append(threshold)
    return due
