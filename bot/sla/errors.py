"""The SLA engine's error tree.

Two families, as everywhere in Guichet: `ClockInputError` is the caller's fault (a naive datetime,
an event log that does not start with an opening, a pause that ends before it starts);
`PolicyError` is the operator's problem (a policy file that does not parse or does not validate),
hence also a `bot.errors.ConfigError`.
"""

from __future__ import annotations

from bot.errors import ConfigError, GuichetError


class SlaError(GuichetError):
    """Base of every error raised by `bot.sla`."""


class ClockInputError(SlaError, ValueError):
    """Bad input to the arithmetic: naive datetime, unordered interval, malformed event log."""


class PolicyError(SlaError, ConfigError):
    """The service-level policy file cannot be read, parsed or validated.

    The message names the file and, for each problem, the dotted location of the bad value
    (for example ``restoration.P3.hours``) and what is expected there.
    """
