"""What a connector says about itself on `/healthz`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class State(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RETRYING = "retrying"
    AUTH_FAILED = "auth_failed"
    """The server or the identity platform refused the credentials: retried, but the operator
    has to act (see the detail)."""
    STOPPED = "stopped"
    STANDBY = "standby"
    """Ready, not reading: another worker of the same store reads this source (only one may)."""


@dataclass(frozen=True, slots=True)
class Health:
    state: State
    since: datetime
    detail: str = ""
    """Why it is retrying (addresses redacted, never a password)."""

    def as_json(self) -> dict[str, str]:
        return {"state": self.state, "since": self.since.isoformat(), "detail": self.detail}
