"""The registry's errors: all are the sender's fault (an operator's command, an API call)."""

from __future__ import annotations

from bot.errors import GuichetError, NotFound


class OutageError(GuichetError):
    """Base of the outage registry's errors; the message says what to fix."""


class InvalidOutage(OutageError):
    """A declaration, update or resolution that cannot be accepted; `field` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.detail = message


class UnknownOutage(OutageError, NotFound):
    """No outage has this number."""

    def __init__(self, number: str) -> None:
        super().__init__(
            f"no outage numbered {number!r}; `python -m bot outage list` shows the numbers"
        )
        self.number = number
