"""What a Graph mailbox needs to know, and where it keeps its delta link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
"""Microsoft Graph's resource: the application permissions Mail.ReadWrite and Mail.Send."""
GRAPH_URL = "https://graph.microsoft.com"


@dataclass(frozen=True, slots=True)
class GraphConfig:
    name: str
    mailbox: str
    """The mailbox's address (user principal name) in the `/users/{mailbox}` paths."""
    folder: str = "inbox"
    """A well-known folder name (inbox) or a folder ID."""
    processed: tuple[str, ...] = ("Guichet", "Traité")
    """Where committed messages go: a folder under the mailbox's root, then its subfolders."""
    base_url: str = GRAPH_URL
    poll_seconds: float = 60.0
    chunk: int = 50
    """Messages per delta page (`Prefer: odata.maxpagesize`)."""
    timeout: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    """The largest answer read (a message's MIME); Exchange Online's own limit is 150 MB."""
    max_retry_after: float = 120.0
    """A 429's `Retry-After` is honoured up to this many seconds per wait."""


class DeltaLinks(Protocol):
    """Port: where each Graph mailbox's `@odata.deltaLink` (how far it read) is kept."""

    async def load(self, mailbox: str) -> str | None: ...

    async def save(self, mailbox: str, link: str) -> None: ...


class MemoryDeltaLinks:
    """The fake: delta links in a dict (lost with the process)."""

    def __init__(self) -> None:
        self.saved: dict[str, str] = {}

    async def load(self, mailbox: str) -> str | None:
        return self.saved.get(mailbox)

    async def save(self, mailbox: str, link: str) -> None:
        self.saved[mailbox] = link
