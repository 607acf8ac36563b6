"""What a loop says while the database is unavailable (`bot.store.unavailable`): one warning
per episode, with what failed, what to check and that it retries; the retries at debug; one
line when it is back. The real outage, two workers and PostgreSQL restarted, is
tests/postgres/test_database_restart.py."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from bot.store.unavailable import Unavailable, cause

REFUSED = OperationalError(
    "SELECT 1", {}, ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def said(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records]


def test_an_outage_is_said_once_then_its_end(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    down = Unavailable(logging.getLogger("loop"), "dispatching", clock)
    with caplog.at_level(logging.DEBUG, "loop"):
        down.working()  # nothing to say while it works
        down.failed(REFUSED, "every 5s")
        clock.now += 3
        down.failed(REFUSED, "every 5s")
        clock.now += 4
        down.working()
        down.working()
    [(level, warning), retry, back] = said(caplog)
    assert level == "WARNING"
    assert warning == (
        "dispatching: the database is unavailable (ConnectionRefusedError: [Errno 111] Connect "
        "call failed ('127.0.0.1', 5432)); check that the database server is running and "
        "reachable (GUICHET_DATABASE_URL); retrying every 5s, nothing is lost meanwhile"
    )
    assert retry[0] == "DEBUG"
    assert back == ("INFO", "dispatching: the database is back after 7s")


def test_a_pass_begun_before_the_outage_does_not_end_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    down = Unavailable(logging.getLogger("loop"), "delivering notifications", clock)
    with caplog.at_level(logging.DEBUG, "loop"):
        began = down.now()
        clock.now += 1
        down.failed(REFUSED, "every 2s")  # a lane failed while the claim was under way
        down.working(began)  # the claim got through before the failure: proves nothing
        assert down.down
        down.working(down.now())
        assert not down.down
    assert [level for level, _text in said(caplog)] == ["WARNING", "INFO"]


def test_the_cause_is_what_the_driver_said_in_one_line() -> None:
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError as exc:
            raise OperationalError("SELECT 1", {"raw": b"secret body"}, exc) from exc
    except OperationalError as exc:
        assert cause(exc) == "ConnectionResetError: [Errno 104] Connection reset by peer"
    assert cause(REFUSED).startswith("ConnectionRefusedError: ")  # raised without its cause
    assert cause(RuntimeError("first line\nsecond line")) == "RuntimeError: first line"
