"""Folder source: every complete file dropped in a directory is one inbound email.

A file counts once it is complete: writers put it elsewhere (or under a dotfile / `*.tmp` name)
and rename it in, which is atomic on one filesystem (the Maildir convention). After the bot has
committed it, the file moves to `done/`; a file that cannot be read at all goes to `failed/`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from intake.health import Health, State
from intake.lifecycle import Lifecycle, wait_set
from intake.message import Channel, InboundMessage

log = logging.getLogger(__name__)

_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".swp")


_READ_AT_ONCE = 64
"""Files read in one trip to a thread (a storm's inbox holds thousands)…"""
_READ_BYTES = 16 * 1024 * 1024
"""…and at most about this many bytes of them (one file alone may be larger)."""


def _read_some(paths: list[Path]) -> list[bytes | OSError]:
    """The bytes of the first files of `paths` (at least one), or why one could not be read."""
    out: list[bytes | OSError] = []
    size = 0
    for path in paths[:_READ_AT_ONCE]:
        if out and size >= _READ_BYTES:
            break
        try:
            raw = path.read_bytes()
        except OSError as exc:
            out.append(exc)
            continue
        out.append(raw)
        size += len(raw)
    return out


def _is_candidate(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    return (
        not name.startswith(".")
        and not name.endswith(_IGNORED_SUFFIXES)
        and entry.is_file(follow_symlinks=False)
    )


class FolderSource(Lifecycle):
    """Polls `inbox` (cheap `scandir`) and yields each new file as an `InboundMessage`."""

    def __init__(self, inbox: Path, *, poll_seconds: float = 0.25) -> None:
        self.inbox = inbox
        self.done = inbox / "done"
        self.failed = inbox / "failed"
        self.name = f"folder:{inbox.name}"
        self._poll = poll_seconds
        self._in_flight: set[str] = set()
        self._confirmed: list[str] = []
        self._mover: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self._health = Health(State.STOPPED, datetime.now(UTC))

    async def start(self) -> None:
        for folder in (self.inbox, self.done, self.failed):
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        self._stopped.clear()
        self._health = Health(State.RUNNING, datetime.now(UTC))

    async def stop(self) -> None:
        self._stopped.set()
        if self._mover is not None:  # what was confirmed is filed before the stop returns
            await asyncio.gather(self._mover, return_exceptions=True)
        if self._health.state != State.STOPPED:
            self._health = Health(State.STOPPED, datetime.now(UTC))

    def health(self) -> Health:
        return self._health

    async def __aiter__(self) -> AsyncIterator[InboundMessage]:
        while not self._stopped.is_set():
            paths = await asyncio.to_thread(self._scan)
            while paths:
                reads = await asyncio.to_thread(_read_some, paths)
                for path, read in zip(paths, reads, strict=False):
                    message = await self._take(path, read)
                    if message is not None:
                        yield message
                paths = paths[len(reads) :]
            await wait_set(self._stopped, self._poll)

    def _scan(self) -> list[Path]:
        try:
            with os.scandir(self.inbox) as entries:
                found = [e for e in entries if _is_candidate(e) and e.name not in self._in_flight]
        except FileNotFoundError:
            return []
        dated = []
        for entry in found:
            try:  # a file filed under done/ meanwhile (confirmed while this scan ran) is gone
                dated.append((entry.stat().st_mtime_ns, entry.name, entry.path))
            except FileNotFoundError:
                continue
        dated.sort()
        return [Path(path) for _, _, path in dated]

    async def _take(self, path: Path, read: bytes | OSError) -> InboundMessage | None:
        if isinstance(read, FileNotFoundError):
            return None  # taken away between scan and read
        if isinstance(read, OSError):
            log.info(
                "inbox file %s cannot be read (%s): moved to failed/", path.name, read.strerror
            )
            await asyncio.to_thread(self._move, path, self.failed)
            return None
        raw = read
        if not raw.strip():
            log.info("inbox file %s is empty: moved to failed/", path.name)
            await asyncio.to_thread(self._move, path, self.failed)
            return None
        self._in_flight.add(path.name)
        return InboundMessage(
            channel=Channel.EMAIL,
            raw=raw,
            received_at=datetime.now(UTC),
            source=self.name,
            ref=path.name,
        )

    async def confirm(self, message: InboundMessage) -> None:
        """The bot committed the message: file it under `done/`, with every other message
        confirmed meanwhile, in one trip to a thread (a storm confirms hundreds a second; one
        trip each held the intake to the pace of the busy event loop). Until it is moved, the
        file is not read again; should the process die first, it is read again at the next
        start and stored as the duplicate it is."""
        self._confirmed.append(message.ref)
        if self._mover is None or self._mover.done():
            self._mover = asyncio.create_task(self._file_confirmed())

    async def _file_confirmed(self) -> None:
        while self._confirmed:
            names, self._confirmed = self._confirmed, []
            moved = await asyncio.to_thread(self._move_all, names, self.done)
            self._in_flight.difference_update(moved)

    def _move_all(self, names: list[str], folder: Path) -> list[str]:
        """Move the named inbox files to `folder`; the names of those that are gone from the
        inbox (a file that cannot be moved stays, and is not read again before a restart)."""
        moved = []
        for name in names:
            try:
                self._move(self.inbox / name, folder)
                moved.append(name)
            except OSError as exc:
                log.warning("inbox file %s cannot be moved (%s)", name, exc.strerror)
        return moved

    async def reject(self, message: InboundMessage, reason: str) -> None:
        log.info("inbox file %s rejected (%s): moved to failed/", message.ref, reason)
        await asyncio.to_thread(self._move, self.inbox / message.ref, self.failed)
        self._in_flight.discard(message.ref)

    @staticmethod
    def _move(path: Path, folder: Path) -> None:
        target = folder / path.name
        counter = 1
        while target.exists():  # never overwrite an earlier file of the same name
            target = folder / f"{path.stem}.{counter}{path.suffix}"
            counter += 1
        with contextlib.suppress(FileNotFoundError):
            path.replace(target)
