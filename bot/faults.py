"""Test-only fault injection: `GUICHET_TEST_CRASH_AT=<point>` kills the process at that point.

It is the honest way for the crash tests to hit an exact instant (no patching of our code).
Points: `after-raw-commit` (raw message stored, nothing decided yet), `after-ticket-commit`
(ticket and outbox row stored, nothing delivered yet), `after-send` (a notification delivered,
not yet marked sent). Unset in production; documented in README.md.
"""

from __future__ import annotations

import os
import signal
import sys


def crash_point(name: str) -> None:
    if os.environ.get("GUICHET_TEST_CRASH_AT") == name:
        sys.stderr.write(f"GUICHET_TEST_CRASH_AT={name}: killing the process\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
