"""Run every benchmark and print `name: value unit`, one per line. Figures, never assertions."""

from __future__ import annotations

import importlib
import logging
import sys

MODULES = ["bench.ingest", "bench.imap", "bench.triage", "bench.slack", "bench.report"]


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    wanted = sys.argv[1:] or MODULES
    for name in wanted:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for figure, value, unit in module.run():
            print(f"{figure}: {value:.6g} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
