"""PostgreSQL multi-worker intake: one folder storm through 1 then 2 `python -m bot serve`
workers, each run on a fresh database, every acknowledgement accepted by one real SMTP server.

Uses the test suite's throwaway PostgreSQL cluster (`tests.servers.postgres`), its serve
processes (`tests.servers.worker`) and aiosmtpd. With two workers the storm is split between
their inbox folders, half each (interleaved). Throughput runs from the first drop to the last
acknowledgement the SMTP server accepted; latency is per message, drop to acceptance of the
acknowledgement replying to it.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import statistics
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.mailgen import generate
from bot.store.db import create_engine, migrate, sessions
from tests.mail import drop
from tests.servers.postgres import Postgres, postgres_bin
from tests.servers.smtp import free_port
from tests.servers.worker import Counts, Worker, counts

Figure = tuple[str, float, str]

COUNT = 2000
SETTLE_SECONDS = 150
"""How long a storm may take to settle before the figures are taken from what got through."""

log = logging.getLogger("bench.workers")


class _Timing:
    """Accepts every message; records when the first answer to each Message-ID arrived."""

    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.total = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        replied = message_from_bytes(content).get("In-Reply-To", "").strip().strip("<>")
        self.total += 1
        self.accepted.setdefault(replied, time.time())
        return "250 OK"


def _drop_all(inboxes: list[Path], mails: list[tuple[str, bytes]]) -> dict[str, float]:
    """Every message into the inboxes in turn (half each for two); when each was dropped."""
    dropped = {}
    for index, (message_id, raw) in enumerate(mails):
        drop(inboxes[index % len(inboxes)], f"{index:05d}.eml", raw)
        dropped[message_id] = time.time()
    return dropped


async def _storm(postgres: Postgres, template: str, workers: int, count: int) -> list[Figure]:
    prefix = f"pg_storm_{count}_{workers}_worker{'s' if workers > 1 else ''}"
    name = await asyncio.to_thread(postgres.create_database, template)
    url = postgres.url(name)
    root = Path(tempfile.mkdtemp(prefix="guichet-bench-workers-"))
    timing = _Timing()
    controller = Controller(timing, hostname="127.0.0.1", port=free_port())
    controller.start()
    running = [
        Worker(root / f"w{i}", url, controller.port, GUICHET_MAIL_DOMAIN="guichet.bench")
        for i in range(workers)
    ]
    engine = create_engine(url)
    made = sessions(engine)
    try:
        mails = generate(count, seed=3)
        for worker in running:
            await worker.start()
        await asyncio.gather(*(worker.until_ready() for worker in running))
        start = time.time()
        dropped = await asyncio.to_thread(_drop_all, [w.inbox for w in running], mails)
        deadline = start + SETTLE_SECONDS
        now = Counts(0, 0, 0, 0)
        while time.time() < deadline:
            await asyncio.sleep(0.5)
            now = await counts(made)
            stored, waiting, pending, sent = now
            if stored >= count and waiting == 0 and pending == 0 and len(timing.accepted) >= sent:
                break
        else:
            log.warning("%s: not settled after %d s: %s", prefix, SETTLE_SECONDS, now)
        peak = max(worker.peak_rss_mb() for worker in running)
        codes = [await worker.stop() for worker in running]
        now = await counts(made)
        answered = [m for m in dropped if m in timing.accepted]
        end = max(timing.accepted[m] for m in answered)
        latencies = sorted((timing.accepted[m] - dropped[m]) * 1000 for m in answered)
        q = statistics.quantiles(latencies, n=100)
        _report_oddities(prefix, running, codes, now, timing, len(answered))
        return [
            (f"{prefix}_messages", float(count), "messages"),
            (f"{prefix}_throughput", count / (end - start), "messages/s"),
            (f"{prefix}_latency_p50", q[49], "ms"),
            (f"{prefix}_latency_p95", q[94], "ms"),
            (f"{prefix}_acks", float(len(answered)), "messages"),
            (f"{prefix}_acks_missing", float(now.sent - len(answered)), "messages"),
            (f"{prefix}_peak_rss", peak, "MB"),
        ]
    finally:
        for worker in running:
            await worker.stop()
        await engine.dispose()
        controller.stop()
        await asyncio.to_thread(postgres.drop_database, name)
        shutil.rmtree(root, ignore_errors=True)


def _report_oddities(
    prefix: str,
    running: list[Worker],
    codes: list[int | None],
    counts: Counts,
    timing: _Timing,
    answered: int,
) -> None:
    """Warnings (stderr, not figures) for what a reader of the figures should know."""
    stored, waiting, pending, sent = counts
    if timing.total != len(timing.accepted):
        log.warning("%s: %d SMTP deliveries repeated a reply", prefix, timing.total - answered)
    if sent != answered or waiting or pending:
        log.warning(
            "%s: stored %d, still received %d, outbox pending %d, sent %d, acks accepted %d",
            prefix, stored, waiting, pending, sent, answered,
        )  # fmt: skip
    for index, (worker, code) in enumerate(zip(running, codes, strict=True)):
        bad = [
            line
            for line in worker.log().splitlines()
            if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
        ]
        if code != 0 or bad:
            log.warning("%s: worker %d exited %s, %d error lines", prefix, index, code, len(bad))
            for line in bad[:5]:
                log.warning("  %s", line[:300])


async def _run(count: int) -> list[Figure]:
    binaries = postgres_bin()
    assert binaries is not None
    root = Path(tempfile.mkdtemp(prefix="guichet-bench-pg-"))  # given to `postgres` as root
    postgres = await asyncio.to_thread(Postgres.start, root, binaries)
    try:
        template = "guichet_bench_template"
        await asyncio.to_thread(postgres.sql, f'CREATE DATABASE "{template}"')
        await asyncio.to_thread(migrate, postgres.url(template))
        one = await _storm(postgres, template, 1, count)
        two = await _storm(postgres, template, 2, count)
    finally:
        await asyncio.to_thread(postgres.stop)
        shutil.rmtree(root, ignore_errors=True)
    throughput = {name: value for name, value, _ in one + two if name.endswith("_throughput")}
    two_over_one = f"pg_storm_{count}_2_workers_throughput", f"pg_storm_{count}_1_worker_throughput"
    ratio = throughput[two_over_one[0]] / throughput[two_over_one[1]]
    peak = max(value for name, value, _ in one + two if name.endswith("_peak_rss"))
    return [
        *one,
        *two,
        ("pg_storm_2_over_1_ratio", ratio, "x"),
        ("pg_worker_peak_rss", peak, "MB"),
    ]


def run() -> list[Figure]:
    if postgres_bin() is None:
        print("workers: PostgreSQL is not installed (run `make test` as root first); skipped")
        return []
    return asyncio.run(_run(COUNT))
