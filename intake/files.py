"""Writing files so that a reader, or a crash, never meets half of one."""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write `data` to a temporary file beside `path` (created with `mode`), sync it, then
    rename it over `path`. The temporary name is unique: two writers of one path never share
    it. The rename survives a power cut once the directory is synced (`sync_directory`)."""
    tmp, handle = _start(path, data, mode)
    try:
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_all_atomically(
    files: Sequence[tuple[Path, bytes]], *, file_by_file: bool = False
) -> list[OSError | None]:
    """Write each file as `write_atomically` does, with one sync for them all; for each file,
    the error that kept it from being written, or None. A file without error is whole under
    its name and survives a power cut.

    The temporary files are written, then made durable together (`syncfs` on Linux: one
    flush of their file system instead of one journal commit each: a third of the CPU or less,
    `docs/capacity.md`), then renamed, then each directory is synced once. Where `syncfs` is
    missing, or with `file_by_file`, each temporary file is synced in turn."""
    errors: list[OSError | None] = [None] * len(files)
    written: list[tuple[int, Path, int]] = []  # index, temporary name, open handle
    made: set[Path] = set()  # directories known to exist: one look each, not one per file
    try:
        for index, (path, data) in enumerate(files):
            try:
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent)
                written.append((index, *_start(path, data)))
            except OSError as exc:
                errors[index] = exc
        opened = [(index, handle) for index, _, handle in written]
        for index, error in _sync(opened, None if file_by_file else _SYNCFS).items():
            errors[index] = error
    finally:
        for _, _, handle in written:
            with contextlib.suppress(OSError):
                os.close(handle)
    for index, tmp, _ in written:
        try:
            if errors[index] is None:
                os.replace(tmp, files[index][0])
                continue
        except OSError as exc:
            errors[index] = exc
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    renamed = [path for (path, _), error in zip(files, errors, strict=True) if error is None]
    for directory in dict.fromkeys(path.parent for path in renamed):
        try:
            sync_directory(directory)
        except OSError as exc:  # the renames may not survive a power cut: not written
            errors = [
                exc if error is None and path.parent == directory else error
                for (path, _), error in zip(files, errors, strict=True)
            ]
    return errors


def sync_directory(directory: Path) -> None:
    """Make the renames into `directory` durable."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _start(path: Path, data: bytes, mode: int = 0o644) -> tuple[Path, int]:
    """The temporary file of `path`, written with `data` and left open (not yet synced)."""
    tmp = _temporary(path)
    handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    except BaseException:
        os.close(handle)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp, handle


def _syncfs_of_libc() -> Callable[[int], int] | None:
    """Linux's `syncfs(2)`, which Python's `os` lacks; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


_SYNCFS = _syncfs_of_libc()


def _sync(
    handles: Sequence[tuple[int, int]], syncfs: Callable[[int], int] | None
) -> dict[int, OSError]:
    """Make the open files' data durable, with `syncfs` once per file system when there is
    one: by index, the files that could not be synced."""
    failed: dict[int, OSError] = {}
    if syncfs is None:
        for index, handle in handles:
            try:
                os.fsync(handle)
            except OSError as exc:
                failed[index] = exc
        return failed
    by_device: dict[int, list[tuple[int, int]]] = {}
    for index, handle in handles:
        try:
            by_device.setdefault(os.fstat(handle).st_dev, []).append((index, handle))
        except OSError as exc:
            failed[index] = exc
    for group in by_device.values():
        if syncfs(group[0][1]) != 0:  # since Linux 5.8, a write-back error is reported here
            number = ctypes.get_errno()
            error = OSError(number, f"syncfs: {os.strerror(number)}")
            failed.update((index, error) for index, _ in group)
    return failed
