"""What an IMAP reader needs to know, and where it keeps how far it got."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class MailboxConfig:
    name: str
    host: str
    username: str
    password: str = field(repr=False)
    port: int = 993
    security: Literal["ssl", "starttls", "none"] = "ssl"
    folder: str = "INBOX"
    processed: tuple[str, ...] = ("Guichet", "Traité")
    """Where committed messages go, as path parts joined with the server's own delimiter."""
    after_commit: Literal["move", "flag"] = "move"
    poll_seconds: float = 60.0
    """Used when the server does not offer IDLE (RFC 2177)."""
    idle_seconds: float = 25 * 60.0
    """Re-issue IDLE at least this often (RFC 2177 §3: under 29 minutes)."""
    chunk: int = 50
    timeout: float = 60.0
    verify_tls: bool = True
    ca_file: str = ""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    uidvalidity: int
    last_uid: int


class Checkpoints(Protocol):
    """Port: where each mailbox's (UIDVALIDITY, last committed UID) is kept."""

    async def load(self, mailbox: str) -> Checkpoint | None: ...

    async def save(self, mailbox: str, checkpoint: Checkpoint) -> None: ...


class MemoryCheckpoints:
    """The fake: checkpoints in a dict (lost with the process)."""

    def __init__(self) -> None:
        self.saved: dict[str, Checkpoint] = {}

    async def load(self, mailbox: str) -> Checkpoint | None:
        return self.saved.get(mailbox)

    async def save(self, mailbox: str, checkpoint: Checkpoint) -> None:
        self.saved[mailbox] = checkpoint
