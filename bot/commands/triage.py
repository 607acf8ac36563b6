"""`python -m bot triage --jsonl FILE`: the classifier over JSON lines, streaming."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TextIO


def triage_file(path: str) -> int:
    from nlp.jsonl import triage_jsonl  # loads the model: only this command pays for it

    try:
        handle: TextIO = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"{path}: cannot read it ({exc.strerror})", file=sys.stderr)
        return 2
    try:
        for line in triage_jsonl(_lines(handle)):
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    finally:
        if handle is not sys.stdin:
            handle.close()
    return 0


def _lines(handle: TextIO) -> Iterator[str]:
    for line in handle:
        if line.strip():
            yield line
