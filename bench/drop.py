"""Dropping mail into an inbox folder as a mail transfer agent does (`tests.mail.drop`: written
aside, renamed in), from another process. Kept free of the service's imports, so the process
the storm drops from starts at once and holds no model."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.mail import drop


def drop_all(inbox: Path, mails: list[tuple[str, bytes]]) -> dict[str, float]:
    """Drop every mail, at once; when each landed (wall clock), by Message-ID."""
    dropped = {}
    for index, (message_id, raw) in enumerate(mails):
        drop(inbox, f"{index:05d}.eml", raw)
        dropped[message_id] = time.time()
    return dropped


def ready() -> int:
    """Run once, so the dropping process is started before the clock is: its pid (its CPU is
    the mail transfer agent's, counted apart from the service's)."""
    return os.getpid()


def file_cost_ms(folder: Path, count: int = 500) -> float:
    """CPU time (mostly the kernel's) to create, write and rename one small file in `folder`,
    while nothing else runs: on the development machine's disk it moved from 0.03 to 0.7 ms
    within minutes, and the storm creates two files per message (the mail, its
    acknowledgement). Printed beside the storm to tell the machine's mood from a change's. The
    files stay (they go with the storm's folder): deleting many files made the next ones dearer."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.thread_time()
    for index in range(count):
        drop(folder, f"{index:05d}.eml", b"x" * 640)
    return (time.thread_time() - started) / count * 1000
