"""IMAP append → acknowledgement accepted by a real SMTP server: latency with IDLE, and a storm.

Uses the test suite's real servers (a throwaway Dovecot, aiosmtpd) and the real service.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import statistics
import tempfile
import time
from email import message_from_bytes
from multiprocessing import get_context
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from imap_tools import MailBoxUnencrypted

from bench.elsewhere import other_process
from bench.mailgen import generate
from bot.app import serve
from bot.settings import MailboxSettings, Settings
from bot.store.db import migrate
from tests.servers.dovecot import Dovecot, dovecot_version
from tests.servers.smtp import free_port

Figure = tuple[str, float, str]


class _Timing:
    """Writes, for each message accepted, the Message-ID it answers and when, one per line."""

    def __init__(self, log: Path) -> None:
        self._log = log.open("a", encoding="utf-8")

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        replied = message_from_bytes(content).get("In-Reply-To", "").strip().strip("<>")
        self._log.write(f"{replied}\t{time.time()}\n")
        self._log.flush()
        return "250 OK"


def _smtp_server(port: int, log: Path, stop: EventType) -> None:
    """The SMTP server that accepts the acknowledgements, in a process of its own: a real one
    runs elsewhere, and its work must not be counted against the service's core."""
    controller = Controller(_Timing(log), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()


class _Accepted:
    """What the SMTP server process has accepted so far, read from its log."""

    def __init__(self, log: Path) -> None:
        self._log = log
        self._ignored: set[str] = set()

    def read(self) -> dict[str, float]:
        text = self._log.read_text(encoding="utf-8") if self._log.exists() else ""
        found = {}
        for line in text.splitlines():
            mid, _, at = line.partition("\t")
            if at and mid not in self._ignored:
                found[mid] = float(at)
        return found

    def ignore(self, mids: list[str]) -> None:
        self._ignored.update(mids)


async def _run(
    count: int, pace: float | None, *, backlog: bool = False
) -> tuple[dict[str, float], dict[str, float]]:
    """Append `count` messages (every `pace` seconds, or at once from another process) while
    the service runs; or, with `backlog`, all before it starts (a service back after an outage
    finds them waiting). When each was appended, and when its acknowledgement was accepted."""
    root = Path(tempfile.mkdtemp(prefix="guichet-bench-dovecot-"))
    dovecot = Dovecot.create(root)
    dovecot.start()
    smtp_port = free_port()
    accepted = _Accepted(root / "accepted.tsv")
    spawn = get_context("spawn")
    stop_smtp = spawn.Event()
    smtp = spawn.Process(target=_smtp_server, args=(smtp_port, root / "accepted.tsv", stop_smtp))
    smtp.start()
    await asyncio.to_thread(_wait_for_port, smtp_port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                data_dir=Path(tmp) / "var",
                http_port=0,
                mail_domain="guichet.bench",
                smtp_host="127.0.0.1",
                smtp_port=smtp_port,
                imap_mailboxes=[
                    MailboxSettings(
                        host="127.0.0.1",
                        port=dovecot.imap_port,
                        security="none",
                        username=dovecot.user,
                        password=dovecot.password,
                        chunk=100,
                    )
                ],
            )
            await asyncio.to_thread(migrate, settings.sqlalchemy_url)
            # only known client domains: unknown senders get no acknowledgement to wait for
            known = [(m, raw) for m, raw in generate(count * 2 + 6, seed=11) if "gmail" not in m]
            warm, mails = known[:3], known[3 : count + 3]
            server = (dovecot.host, dovecot.imap_port, dovecot.user, dovecot.password)
            appended: dict[str, float] = {}
            if backlog:
                appended = await _append_elsewhere(server, mails)
            stop = asyncio.Event()
            ready = asyncio.Event()
            service = asyncio.create_task(
                serve(settings, on_ready=lambda _: ready.set(), stop=stop)
            )
            await ready.wait()
            if backlog:
                warm = []
            box = MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login(
                dovecot.user, dovecot.password
            )
            # Warm-up: the reader in IDLE and the model loaded, measured by three answered
            # messages rather than guessed with a sleep.
            for _, raw in warm:
                await asyncio.to_thread(box.append, raw, "INBOX")
            warmed = time.time() + 120
            while len(accepted.read()) < len(warm) and time.time() < warmed:
                await asyncio.sleep(0.1)
            accepted.ignore([mid for mid, _ in warm])
            if backlog:
                box.logout()
            elif pace:
                for mid, raw in mails:
                    appended[mid] = time.time()
                    await asyncio.to_thread(box.append, raw, "INBOX")
                    await asyncio.sleep(pace)
                box.logout()
            else:  # the storm arrives from another process, as mail does: not on our core
                box.logout()
                appended = await _append_elsewhere(server, mails)
            deadline = time.time() + 600
            while len(accepted.read()) < len(mails) and time.time() < deadline:
                await asyncio.sleep(0.2)
            stop.set()
            await service
            return appended, accepted.read()
    finally:
        stop_smtp.set()
        smtp.join(10)
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _append_elsewhere(
    server: tuple[str, int, str, str], mails: list[tuple[str, bytes]]
) -> dict[str, float]:
    """`_append` in another process, as mail arrives: not on the service's core."""
    async with other_process() as appender:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(appender, _append, server, mails)


def _wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def _append(server: tuple[str, int, str, str], mails: list[tuple[str, bytes]]) -> dict[str, float]:
    """APPEND each message to the INBOX of `server` (host, port, user, password) over one
    connection; when each went in."""
    host, port, user, password = server
    appended = {}
    with MailBoxUnencrypted(host, port).login(user, password) as box:
        for mid, raw in mails:
            appended[mid] = time.time()
            box.append(raw, "INBOX")
    return appended


def run() -> list[Figure]:
    if dovecot_version() is None:
        print("imap: Dovecot is not installed (run `make test` as root first); skipped")
        return []
    appended, accepted = asyncio.run(_run(100, 0.3))
    latencies = sorted((accepted[m] - appended[m]) * 1000 for m in appended if m in accepted)
    q = statistics.quantiles(latencies, n=100)
    figures: list[Figure] = [
        ("imap_idle_append_to_ack_p50", q[49], "ms"),
        ("imap_idle_append_to_ack_p95", q[94], "ms"),
        ("imap_idle_acks_missing", float(len(appended) - len(latencies)), "messages"),
    ]
    appended, accepted = asyncio.run(_run(2000, None))
    done = [m for m in appended if m in accepted]
    span = max(accepted[m] for m in done) - min(appended.values())
    figures += [
        ("imap_storm_messages", float(len(appended)), "messages"),
        ("imap_storm_throughput", len(done) / span, "messages/s"),
        # the ceiling of the figure above: how fast one client could append the storm
        (
            "imap_storm_append_rate",
            len(appended) / (max(appended.values()) - min(appended.values())),
            "messages/s",
        ),
        ("imap_storm_acks_missing", float(len(appended) - len(done)), "messages"),
    ]
    appended, accepted = asyncio.run(_run(2000, None, backlog=True))
    times = sorted(accepted[m] for m in appended if m in accepted)
    figures += [
        # 2,000 messages waiting in the mailbox when the service starts: how fast one worker
        # reads, tickets and acknowledges them, from the first acknowledgement to the last
        ("imap_backlog_throughput", (len(times) - 1) / (times[-1] - times[0]), "messages/s"),
        ("imap_backlog_acks_missing", float(len(appended) - len(times)), "messages"),
    ]
    return figures
