"""One IMAP mailbox as a connector: IDLE when the server offers it, polling when not.

imap-tools is synchronous, so each mailbox runs in its own thread and hands messages to the
event loop through a bounded queue. The thread fetches new UIDs in chunks (bulk FETCH), waits
until the bot has committed each message (`confirm`), then moves it to the processed folder (or
flags it) and checkpoints (UIDVALIDITY, last UID). A message is never moved or deleted before
its commit; a crash in between only means it is fetched again, and the store's dedupe drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.message
import io
import logging
import queue
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

from imap_tools import A, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, U
from imap_tools.message import MailMessage

from intake.auth import OAuth2Refused, Tokens
from intake.health import Health, State
from intake.imap.config import Checkpoint, Checkpoints, MailboxConfig
from intake.imap.oauth2 import login_xoauth2
from intake.lifecycle import Lifecycle
from intake.message import Channel, InboundMessage

log = logging.getLogger(__name__)

T = TypeVar("T")
PROCESSED_KEYWORD = "$GuichetProcessed"
REJECTED_KEYWORD = "$GuichetRejected"
_MAX_BACKOFF = 60.0


class _RawMessage(MailMessage):
    """Keeps the exact bytes the server sent; the bot parses them itself, after committing."""

    def __init__(self, fetch_data: list[Any]) -> None:
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self.raw: bytes = raw
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data
        self.obj = email.message.Message()  # not parsed here on purpose


class _Stopping(Exception):
    pass


class ImapReader(Lifecycle):
    """A `Connector` for one mailbox (see `intake.ports.Connector`)."""

    def __init__(
        self, config: MailboxConfig, checkpoints: Checkpoints, tokens: Tokens | None = None
    ) -> None:
        """`tokens`: log in with OAuth2 bearer tokens (XOAUTH2) instead of the password."""
        self.config = config
        self._tokens = tokens
        self.name = f"imap:{config.name}"
        self._checkpoints = checkpoints
        self._queue: asyncio.Queue[InboundMessage | None] = asyncio.Queue(maxsize=config.chunk)
        self._confirmed: queue.Queue[tuple[str, bool]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._mailbox: BaseMailBox | None = None
        self._health = Health(State.STOPPED, datetime.now(UTC))

    # -- the connector, on the event loop ------------------------------------------------------

    async def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._loop = asyncio.get_running_loop()
        self._stop.clear()
        self._health = Health(State.STARTING, datetime.now(UTC))
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        self._interrupt()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 30)
            self._thread = None
        self._health = Health(State.STOPPED, datetime.now(UTC))

    async def __aiter__(self) -> AsyncIterator[InboundMessage]:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            yield message

    async def confirm(self, message: InboundMessage) -> None:
        self._confirmed.put((message.ref, True))

    async def reject(self, message: InboundMessage, reason: str) -> None:
        log.info(
            "%s: message UID %s rejected (%s); flagged, left in place",
            self.name,
            message.ref,
            reason,
        )
        self._confirmed.put((message.ref, False))

    def health(self) -> Health:
        return self._health

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = 1.0
        try:
            while not self._stop.is_set():
                try:
                    self._session()
                    backoff = 1.0
                except _Stopping:
                    break
                except OAuth2Refused as exc:  # the operator's to fix; retried meanwhile
                    if self._stop.is_set():
                        break
                    self._health = Health(State.AUTH_FAILED, datetime.now(UTC), str(exc)[:500])
                    log.error("%s; retrying in %.0fs", exc, backoff)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, _MAX_BACKOFF)
                except Exception as exc:  # every failure of the server or the network: retry
                    if self._stop.is_set():
                        break
                    detail = f"{exc.__class__.__name__}: {exc}"[:300]
                    self._health = Health(State.RETRYING, datetime.now(UTC), detail)
                    log.warning("%s: %s; reconnecting in %.0fs", self.name, detail, backoff)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, _MAX_BACKOFF)
        finally:
            self._mailbox = None
            self._call(self._queue.put(None), wait=False)

    def _connect(self) -> BaseMailBox:
        config = self.config
        context = ssl.create_default_context(cafile=config.ca_file or None)
        if not config.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        box: BaseMailBox
        if config.security == "ssl":
            box = MailBox(config.host, config.port, timeout=config.timeout, ssl_context=context)
        elif config.security == "starttls":
            box = MailBoxStartTls(
                config.host, config.port, timeout=config.timeout, ssl_context=context
            )
        else:
            box = MailBoxUnencrypted(config.host, config.port, timeout=config.timeout)
        box.email_message_class = _RawMessage
        try:
            if self._tokens is None:
                box.login(config.username, config.password, initial_folder=None)
            else:
                login_xoauth2(box, config.username, self._tokens, name=self.name)
        except BaseException:
            with contextlib.suppress(Exception):  # refused: do not leave the socket open
                box.client.shutdown()
            raise
        # imaplib keeps the capabilities it saw before login; without a refresh, imap-tools
        # falls back to COPY + EXPUNGE instead of MOVE (RFC 6851).
        box.client.capabilities = tuple(box.client.capability()[1][-1].decode().upper().split())
        return box

    def _session(self) -> None:
        box = self._connect()
        self._mailbox = box
        try:
            target = self._processed_folder(box) if self.config.after_commit == "move" else None
            box.folder.set(self.config.folder)
            status = box.folder.status(self.config.folder, ["UIDVALIDITY"])
            uidvalidity = int(status["UIDVALIDITY"])
            saved = self._call(self._checkpoints.load(self.config.name))
            last = saved.last_uid if saved and saved.uidvalidity == uidvalidity else 0
            if saved and saved.uidvalidity != uidvalidity:
                log.warning("%s: UIDVALIDITY changed; reading the folder again", self.name)
            idle = "IDLE" in box.client.capabilities
            self._health = Health(State.RUNNING, datetime.now(UTC), "idle" if idle else "polling")
            while not self._stop.is_set():
                last = self._drain(box, uidvalidity, last, target)
                if self._stop.is_set():
                    break
                if idle:
                    idle_until_news(box, self.config.idle_seconds)
                else:
                    self._stop.wait(self.config.poll_seconds)
                    box.client.noop()
        finally:
            self._mailbox = None
            with contextlib.suppress(Exception):  # the connection may already be gone
                box.logout()

    def _processed_folder(self, box: BaseMailBox) -> str:
        folders = box.folder.list()
        delimiter = folders[0].delim if folders and folders[0].delim else "/"
        target = delimiter.join(self.config.processed)
        if not box.folder.exists(target):
            box.folder.create(target)
        return target

    def _drain(self, box: BaseMailBox, uidvalidity: int, last: int, target: str | None) -> int:
        """Hand over every message after UID `last`, chunk by chunk; return the new last UID."""
        while not self._stop.is_set():
            # "N:*" always matches the highest UID, even below N (RFC 3501 §6.4.8): filter.
            uids = sorted(int(u) for u in box.uids(A(uid=U(str(last + 1), "*"))) if int(u) > last)
            if not uids:
                return last
            chunk = [str(u) for u in uids[: self.config.chunk]]
            fetched = [
                InboundMessage(
                    channel=Channel.EMAIL,
                    raw=message.raw,
                    received_at=datetime.now(UTC),
                    source=self.name,
                    ref=message.uid,
                )
                for message in box.fetch(
                    uid_list=chunk, mark_seen=False, bulk=max(2, self.config.chunk)
                )
                if isinstance(message, _RawMessage) and message.uid is not None
            ]
            # The chunk in one trip to the event loop: a trip for each message made the
            # reader wait on a storm's busy loop a hundred times a chunk.
            self._call(self._hand_over(fetched))
            done, rejected = self._wait_for_commits({m.ref for m in fetched})
            if done:
                if target is not None:
                    box.move(sorted(done, key=int), target)
                else:
                    box.flag(sorted(done, key=int), PROCESSED_KEYWORD, True)
            if rejected:
                box.flag(sorted(rejected, key=int), REJECTED_KEYWORD, True)
            last = max(last, *(int(u) for u in chunk))
            self._call(self._checkpoints.save(self.config.name, Checkpoint(uidvalidity, last)))
        raise _Stopping

    async def _hand_over(self, messages: list[InboundMessage]) -> None:
        for message in messages:
            await self._queue.put(message)

    def _wait_for_commits(self, handed: set[str]) -> tuple[list[str], list[str]]:
        done: list[str] = []
        rejected: list[str] = []
        waiting = set(handed)
        while waiting:
            if self._stop.is_set():
                raise _Stopping
            try:
                uid, ok = self._confirmed.get(timeout=0.5)
            except queue.Empty:
                continue
            if uid in waiting:
                waiting.discard(uid)
                (done if ok else rejected).append(uid)
        return done, rejected

    def _call(self, coroutine: Coroutine[Any, Any, T], *, wait: bool = True) -> T:
        """Run a coroutine on the event loop from this thread (and wait for it, unless stopping)."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        if not wait:
            return None  # type: ignore[return-value]
        while True:
            try:
                return future.result(timeout=0.5)
            except TimeoutError:
                if self._stop.is_set():
                    future.cancel()
                    raise _Stopping from None

    def _interrupt(self) -> None:
        """Wake the thread out of IDLE or a blocking read by shutting its socket."""
        box = self._mailbox
        sock = getattr(getattr(box, "client", None), "sock", None)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def idle_until_news(box: BaseMailBox, timeout: float) -> bool:
    """IDLE until the server announces something or `timeout` passes; True when the news was
    already there as IDLE began. Dovecot announces mail that arrived since the last command in
    the same packet as its "+ idling": imaplib has then read that line into its buffer, where
    waiting on the socket (imap-tools' `idle.wait`) cannot see it, so the mail would wait for
    the next IDLE round (up to 25 minutes). The buffer is looked at first."""
    box.idle.start()  # type: ignore[no-untyped-call]
    try:
        waiting = _buffered(box)
        if not waiting:
            box.idle.poll(timeout)
        return waiting
    finally:
        box.idle.stop()  # type: ignore[no-untyped-call]


def _buffered(box: BaseMailBox) -> bool:
    """Whether a server line is already read from the socket but not yet handled."""
    client = box.client
    sock, file = client.sock, client.file
    if not isinstance(file, io.BufferedReader):
        return False
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    before = sock.gettimeout()
    sock.settimeout(0)
    try:
        return bool(file.peek(1))
    except OSError:  # nothing buffered, and nothing to read without waiting
        return False
    finally:
        sock.settimeout(before)
