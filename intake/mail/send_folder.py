"""Outgoing email as `.eml` files in a folder, when no SMTP server is set (like Django's file
e-mail backend).

Each file is written atomically (a temporary file, synced, then renamed over any earlier copy)
and counts as sent once its directory is synced too. Files are written by one thread hop for
all the messages waiting at that moment, synced together (a group commit,
`intake.files.write_all_atomically`): in a storm the outbox hands over hundreds of
acknowledgements a second, and a trip to a thread and two `fsync`s for each one cost more than
composing it. The turn's messages are composed together too, by a `Composer`: here, or in the
triage process where it has a core (the service's own process is the busier one in a storm).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from intake.errors import DeliveryRefused, OperatorError
from intake.files import write_all_atomically
from intake.mail.compose import Composer, LocalComposer
from intake.message import OutboundMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_Waiting = tuple[Path, OutboundMessage, "asyncio.Future[bytes]"]


class FolderSender:
    """Writes each message as an `.eml` file named by `file_name`; `send` returns once the file
    and its name are on disk."""

    def __init__(
        self, folder: Path, *, sender: str, sender_name: str, composer: Composer | None = None
    ) -> None:
        self._folder = folder
        self._sender = sender
        self._sender_name = sender_name
        self._composer = composer or LocalComposer()
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def send(self, message: OutboundMessage) -> bytes:
        written: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting.append((self._folder / file_name(message), message, written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await written

    async def _write_waiting(self) -> None:
        """Compose and write what is waiting, in turns, until nothing is; each turn is one
        trip to the composer and one thread hop."""
        while self._waiting:
            turn, self._waiting = self._waiting, []
            try:
                ready = await self._compose(turn)
                errors = await asyncio.to_thread(
                    write_all_atomically, [(path, raw) for path, raw, _ in ready]
                )
            except Exception as exc:  # the composer failed (its process could not start)
                _fail(turn, OperatorError(f"outbox folder not written: {exc!r}"))
                continue
            except BaseException as exc:  # cancelled (the service stops): nobody waits for ever
                _fail(turn, OperatorError(f"outbox folder not written: {exc!r}"))
                raise
            for (_, raw, written), error in zip(ready, errors, strict=True):
                if written.done():  # its sender stopped waiting
                    continue
                if error is None:
                    written.set_result(raw)
                else:
                    written.set_exception(
                        OperatorError(f"cannot write to the outbox folder {self._folder}: {error}")
                    )

    async def _compose(
        self, turn: list[_Waiting]
    ) -> list[tuple[Path, bytes, asyncio.Future[bytes]]]:
        """The turn's files; a message that cannot be composed fails its send at once."""
        composed = await self._composer.compose_all(
            [message for _, message, _ in turn], self._sender, self._sender_name, datetime.now(UTC)
        )
        ready = []
        for (path, _, written), raw in zip(turn, composed, strict=True):
            if isinstance(raw, bytes):
                ready.append((path, raw, written))
            elif not written.done():
                written.set_exception(DeliveryRefused(raw.reason, permanent=True))
        return ready


def _fail(turn: list[_Waiting], error: OperatorError) -> None:
    for _, _, written in turn:
        if not written.done():
            written.set_exception(error)


def file_name(message: OutboundMessage) -> str:
    """The `.eml` name of a message: the same on every try, different for every message.

    The Message-ID is fixed when the outbox row is queued, so a resend after a lost lease (a
    crash between writing and marking sent) replaces the file instead of adding a second
    acknowledgement; the recipients are in the digest because a broadcast sends one Message-ID
    to several lists, one row each.
    """
    identity = "\n".join([message.message_id, *message.to]).encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(identity).hexdigest()[:16]
    return f"{_UNSAFE.sub('_', message.message_id)[:80]}-{digest}.eml"
