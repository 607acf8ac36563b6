"""Dropping mail into an inbox folder as a mail transfer agent does: another process writes
each file under a temporary name, then renames it into place. Kept free of the service's
imports, so the process the storm drops from starts at once and holds no model."""

from __future__ import annotations

import os
import time
from pathlib import Path


def drop(inbox: Path, name: str, raw: bytes) -> None:
    tmp = inbox / f".{name}.tmp"
    tmp.write_bytes(raw)
    os.replace(tmp, inbox / name)


def drop_all(inbox: Path, mails: list[tuple[str, bytes]]) -> dict[str, float]:
    """Drop every mail, at once; when each landed (wall clock), by Message-ID."""
    dropped = {}
    for index, (message_id, raw) in enumerate(mails):
        drop(inbox, f"{index:05d}.eml", raw)
        dropped[message_id] = time.time()
    return dropped


def ready() -> None:
    """Nothing: run once, so the dropping process is started before the clock is."""
