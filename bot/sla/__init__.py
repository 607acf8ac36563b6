"""Service-level clocks: calendars, the policy file, and clocks derived from a ticket's log.

Pure core: no I/O except reading the policy file, and "now" is always a parameter.
"""

from bot.sla.calendar import (
    TORONTO,
    AlwaysOpenCalendar,
    BusinessCalendar,
    Calendar,
    HolidayRules,
    OpenHours,
)
from bot.sla.clock import (
    ClockEvent,
    Clocks,
    ClockState,
    EventType,
    Responder,
    compute_clocks,
    due_at,
)
from bot.sla.errors import ClockInputError, PolicyError, SlaError
from bot.sla.policy import Policy, build_calendars, default_policy, load_policy, loads_policy
from bot.sla.thresholds import DEFAULT_THRESHOLDS, warnings_due

__all__ = [
    "DEFAULT_THRESHOLDS",
    "TORONTO",
    "AlwaysOpenCalendar",
    "BusinessCalendar",
    "Calendar",
    "ClockEvent",
    "ClockInputError",
    "ClockState",
    "Clocks",
    "EventType",
    "HolidayRules",
    "OpenHours",
    "Policy",
    "PolicyError",
    "Responder",
    "SlaError",
    "build_calendars",
    "compute_clocks",
    "default_policy",
    "due_at",
    "load_policy",
    "loads_policy",
    "warnings_due",
]
