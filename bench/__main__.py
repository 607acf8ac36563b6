"""Run every benchmark and print `name: value unit`, one per line. Figures, never assertions.

Each benchmark module runs in its own process, so one's loaded model or warm caches never
flatter another's figures (model load time, resident memory).
"""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys

MODULES = [
    "bench.ingest",
    "bench.imap",
    "bench.triage",
    "bench.slack",
    "bench.report",
    "bench.outage",
    "bench.queue",
    "bench.workers",
]


def main() -> int:
    wanted = sys.argv[1:] or MODULES
    if len(wanted) > 1:
        for name in wanted:
            subprocess.run([sys.executable, "-m", "bench", name], check=False)
        return 0
    logging.basicConfig(level=logging.WARNING)
    module = importlib.import_module(wanted[0])
    for figure, value, unit in module.run():
        print(f"{figure}: {value:.6g} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
