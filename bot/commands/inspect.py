"""`python -m bot inspect-email PATH...`: one JSON line per file; never crashes on bad mail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from intake.mail.inspect import inspect_file


def inspect_paths(paths: list[str], *, domain: str, details: bool) -> int:
    status = 0
    for name in paths:
        try:
            result = inspect_file(Path(name), our_domain=domain, details=details)
        except OSError as exc:
            print(f"{name}: cannot read it ({exc.strerror or exc})", file=sys.stderr)
            status = 2
            continue
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return status
