"""Intake's error tree: the sender's fault versus the operator's problem.

`SenderError` — the message itself is bad (unreadable, not an email): logged at info, the message
is kept aside with a typed reason. `OperatorError` — configuration or a server is wrong (SMTP
refuses, folder not writable): logged at error, retried, addresses redacted.
"""


class IntakeError(Exception):
    """Base of every error intake raises on purpose."""


class SenderError(IntakeError):
    """The message is at fault; retrying the same bytes will fail the same way."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class OperatorError(IntakeError):
    """The service's configuration or a server is at fault; retrying later may succeed."""


class DeliveryRefused(OperatorError):
    """A server refused an outbound message. `permanent` follows the SMTP 5xx / 4xx split."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent
