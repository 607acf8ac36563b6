"""What a connector says about itself on `/healthz`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class State(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RETRYING = "retrying"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Health:
    state: State
    since: datetime
    detail: str = ""
    """Why it is retrying (addresses redacted, never a password)."""

    def as_json(self) -> dict[str, str]:
        return {"state": self.state, "since": self.since.isoformat(), "detail": self.detail}
