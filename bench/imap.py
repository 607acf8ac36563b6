"""IMAP append → acknowledgement accepted by a real SMTP server: latency with IDLE, and a storm.

Uses the test suite's real servers (a throwaway Dovecot, aiosmtpd) and the real service.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from email import message_from_bytes
from multiprocessing import get_context
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from imap_tools import MailBoxUnencrypted

from bench.mailgen import generate
from bot.app import serve
from bot.settings import MailboxSettings, Settings
from bot.store.db import migrate
from tests.servers.dovecot import Dovecot, dovecot_version
from tests.servers.smtp import free_port

Figure = tuple[str, float, str]


class _Timing:
    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        replied = message_from_bytes(content).get("In-Reply-To", "").strip().strip("<>")
        self.accepted[replied] = time.time()
        return "250 OK"


async def _run(count: int, pace: float | None) -> tuple[dict[str, float], dict[str, float]]:
    root = Path(tempfile.mkdtemp(prefix="guichet-bench-dovecot-"))
    dovecot = Dovecot.create(root)
    dovecot.start()
    timing = _Timing()
    smtp_port = free_port()
    controller = Controller(timing, hostname="127.0.0.1", port=smtp_port)
    controller.start()
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
            stop = asyncio.Event()
            ready = asyncio.Event()
            service = asyncio.create_task(
                serve(settings, on_ready=lambda _: ready.set(), stop=stop)
            )
            await ready.wait()
            # only known client domains: unknown senders get no acknowledgement to wait for
            known = [(m, raw) for m, raw in generate(count * 2 + 6, seed=11) if "gmail" not in m]
            warm, mails = known[:3], known[3 : count + 3]
            appended: dict[str, float] = {}
            box = MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login(
                dovecot.user, dovecot.password
            )
            # Warm-up: the reader in IDLE and the model loaded, measured by three answered
            # messages rather than guessed with a sleep.
            for _, raw in warm:
                await asyncio.to_thread(box.append, raw, "INBOX")
            warmed = time.time() + 120
            while len(timing.accepted) < len(warm) and time.time() < warmed:
                await asyncio.sleep(0.1)
            for mid, _ in warm:
                timing.accepted.pop(mid, None)
            server = (dovecot.host, dovecot.imap_port, dovecot.user, dovecot.password)
            if pace:
                for mid, raw in mails:
                    appended[mid] = time.time()
                    await asyncio.to_thread(box.append, raw, "INBOX")
                    await asyncio.sleep(pace)
                box.logout()
            else:  # the storm arrives from another process, as mail does: not on our core
                box.logout()
                with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as appender:
                    loop = asyncio.get_running_loop()
                    appended = await loop.run_in_executor(appender, _append, server, mails)
            deadline = time.time() + 600
            while len(timing.accepted) < len(mails) and time.time() < deadline:
                await asyncio.sleep(0.2)
            stop.set()
            await service
            return appended, timing.accepted
    finally:
        controller.stop()
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)


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
    return figures
