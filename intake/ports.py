"""The ports between intake and the bot. Each has a real implementation and a fake one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from intake.health import Health
from intake.message import InboundMessage, OutboundMessage


@runtime_checkable
class Connector(Protocol):
    """A source of inbound messages (folder, IMAP mailbox, Slack…).

    Used as `async with connector:` (start, then an idempotent stop) and iterated for messages.
    The consumer calls `confirm()` once a message is safely committed, or `reject()` when its
    bytes cannot be stored at all; until then the connector keeps it where it was.
    """

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[InboundMessage]: ...

    async def confirm(self, message: InboundMessage) -> None: ...

    async def reject(self, message: InboundMessage, reason: str) -> None: ...

    def health(self) -> Health: ...


class Sender(Protocol):
    """Delivers one outbound message on one channel.

    Returns the bytes that were handed over (kept as the message's record). Raises
    `intake.errors.DeliveryRefused` when the far end said no (`permanent` or not) and
    `intake.errors.OperatorError` when it could not be reached.
    """

    async def send(self, message: OutboundMessage) -> bytes: ...


@runtime_checkable
class Closable(Protocol):
    """A sender holding something open between sends (SMTP connections): closed when the
    outbox worker stops."""

    async def close(self) -> None: ...
