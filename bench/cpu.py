"""Where a storm's CPU went: each process's CPU time and the machine's, read from /proc.

The storm's throughput moves by ±15–25 % on the development machine from one run to the next;
the CPU each process spends per message moves far less, and says whether a change made the
work cheaper or only met a quieter moment. Linux only: elsewhere every reading is zero, and the
figures say nothing (they are printed, never asserted).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tests.servers.worker import children

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of `pid` so far (its threads included), or 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot, or (0, 0) when unknown."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return (0, 0)
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle and waiting for I/O
    return (sum(values) - idle, sum(values))


@dataclass(frozen=True, slots=True)
class Reading:
    """The CPU seconds of a process and of each of its children, and the machine's ticks."""

    own: float
    children: dict[int, float]
    machine: tuple[int, int]

    @classmethod
    def now(cls, pid: int) -> Reading:
        return cls(cpu_seconds(pid), {c: cpu_seconds(c) for c in children(pid)}, machine_ticks())


@dataclass(frozen=True, slots=True)
class Spent:
    """What a stretch of work cost, between two readings of the same process."""

    own: float
    """The process itself, all its threads (seconds)."""
    children: float
    """Its children alive at the end, but those left out (seconds)."""
    busy: float
    """The machine's cores, busy as a share of their time (0–1)."""


def spent(before: Reading, after: Reading, leave_out: frozenset[int] = frozenset()) -> Spent:
    deltas = [
        cpu - before.children.get(child, 0.0)
        for child, cpu in after.children.items()
        if child not in leave_out
    ]
    busy, total = (a - b for a, b in zip(after.machine, before.machine, strict=True))
    return Spent(
        own=after.own - before.own,
        children=sum(deltas),
        busy=busy / total if total > 0 else 0.0,
    )
