"""Operator logs under hostile input (issue #14, item 1): redaction in linear time, one record is
one line whatever it carries, and records are written off the event loop."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from logging.handlers import QueueHandler
from pathlib import Path

from bot import logs
from bot.app import serve
from bot.logs import redact
from bot.settings import Settings
from tests.conftest import eventually

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_redaction_of_a_megabyte_without_at_sign_is_linear() -> None:
    # Guard, not a benchmark: the quadratic pattern needed ~13 minutes here; linear needs < 1 s.
    # A subprocess, so that a runaway regex can be killed (the `re` engine holds the GIL).
    try:
        done = _python(
            "from bot.logs import redact; print(len(redact('a.b-c_d%e+f' * 100_000)))", 60
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError("redact() did not finish on 1 MB within 60 s") from exc
    assert done.returncode == 0, done.stderr


def test_redaction_still_hides_local_parts() -> None:
    text = "de jeanne.tremblay@msss.example, cc <a.b+c@x.example>; pas@adresse"
    assert redact(text) == "de j…@msss.example, cc <a…@x.example>; pas@adresse"
    assert redact("x" * 50_000 + "@msss.example").endswith("x…@msss.example")


def test_a_logged_value_with_newlines_stays_one_line() -> None:
    """The CLI's logging (configure at start, flushed at exit): a forged line is impossible."""
    code = (
        "import logging; from bot import logs; logs.configure('INFO');"
        "log = logging.getLogger('guichet.test');"
        "log.info('subject %s', 'panne\\n2030-01-01 ERROR bot: forged\\r\\x1b[31mred\\u2028end');"
        "\ntry:\n    raise ValueError('bad\\nvalue')\nexcept ValueError:\n"
        "    log.exception('failed for marie@msss.example')\n"
    )
    done = _python(code, 60)
    lines = done.stderr.splitlines()
    assert len(lines) == 2, lines
    assert "forged" in lines[0] and "\x1b" not in lines[0] and "\r" not in lines[0]
    assert "\\n2030-01-01 ERROR" in lines[0]
    assert "ValueError: bad\\nvalue" in lines[1] and "m…@msss.example" in lines[1]


class _Threads(logging.Handler):
    """Records which thread handled each record."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.threads: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "guichet.probe":
            self.threads.append(threading.current_thread().name)


async def test_the_service_handles_records_off_the_event_loop(migrated: Settings) -> None:
    logs.stop()  # a command run in-process earlier (`cli.main`) leaves its logging running
    root = logging.getLogger()
    seen = _Threads()
    root.addHandler(seen)
    before = list(root.handlers)
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(serve(migrated, on_ready=ready.append, stop=stop))
    try:
        await eventually(lambda: ready or task.done())
        assert not task.done()
        queued = [h for h in root.handlers if isinstance(h, QueueHandler)]
        assert queued, f"no QueueHandler on the root logger: {root.handlers}"
        logging.getLogger("guichet.probe").warning("from the loop")
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        root.removeHandler(seen)
    # stopped: the queue is drained, and the root logger is as it was
    assert seen.threads and threading.main_thread().name not in seen.threads
    assert [h for h in root.handlers if h is not seen] == [h for h in before if h is not seen]
