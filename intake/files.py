"""Writing a file so that a reader, or a crash, never meets half of it."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write `data` to a temporary file beside `path` (created with `mode`), sync it, then
    rename it over `path`. The temporary name is unique: two writers of one path never share
    it. The rename survives a power cut once the directory is synced (`sync_directory`)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def sync_directory(directory: Path) -> None:
    """Make the renames into `directory` durable."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
