"""The demo history: reproducible, consistent with the clocks, and never mixed with real tickets."""

from __future__ import annotations

import argparse
import io
from collections import Counter

import pytest

from bot.demo.command import plan_history, register
from bot.demo.plan import PlannedTicket
from bot.organisations import load_directory
from bot.settings import Settings
from bot.sla.clock import compute_clocks
from bot.sla.events import clock_events, severity_decision
from bot.sla.policy import build_calendars, default_policy

from .conftest import UNTIL

POLICY = default_policy()


def plan(seed: int = 1, per_month: int = 200) -> list[PlannedTicket]:
    directory = load_directory(Settings().organisations_file)
    return plan_history(directory, POLICY, seed=seed, months=2, per_month=per_month, until=UNTIL)


def test_same_seed_same_history_and_another_seed_another() -> None:
    first, again, other = plan(1), plan(1), plan(2)
    assert first == again
    assert first != other


def test_the_history_has_what_the_reports_need_and_replays_cleanly() -> None:
    tickets = plan(per_month=300)
    calendars = build_calendars(POLICY)
    assert [t.id for t in tickets] == list(range(1, 601))
    assert all(t.created_at < UNTIL for t in tickets)
    assert {t.channel for t in tickets} == {"email", "slack"}  # the channels the service has
    assert len({t.organisation for t in tickets}) >= 5
    types = Counter(e.type for t in tickets for e in t.events)
    assert types["severity_set"] and types["level_set"] and types["agent_reply"]
    assert all(e.at <= UNTIL for t in tickets for e in t.events)
    statuses = Counter(t.status for t in tickets)
    assert statuses["closed"] and statuses["in_progress"] + statuses["waiting_on_user"]
    decisions = Counter(severity_decision(t.events) for t in tickets if t.kind == "incident")
    assert decisions["confirmed"] > decisions["changed"] > 0
    met: Counter[bool | None] = Counter()
    for t in tickets:
        answers = [t.ack_sent] if t.ack_sent else []
        clocks = compute_clocks(clock_events(t.events, answers), POLICY, calendars, UNTIL)
        if clocks.has_target:
            met[clocks.met] += 1
            assert clocks.severity is not None and clocks.severity.value == t.severity
    assert met[True] > met[False] > 0 and met[None] > 0  # in time, breached, still running
    reopened = [
        t
        for t in tickets
        if sum(e.data.get("from") == "resolved" and e.data.get("to") == "open" for e in t.events)
    ]
    assert reopened


def test_the_demo_refuses_a_store_with_tickets(demo: Settings) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["demo", "--months", "1", "--until", "2026-11-27"])
    out, err = io.StringIO(), io.StringIO()
    assert args.handler(args, out=out, err=err) == 1
    assert "already holds" in err.getvalue() and "only fills an empty store" in err.getvalue()


def test_the_demo_fills_an_empty_store(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["demo", "--months", "1", "--per-month", "50", "--until", "2026-11-27"]
    )
    out = io.StringIO()
    assert args.handler(args, out=out, err=io.StringIO()) == 0
    assert out.getvalue().startswith("demo: 50 tickets from 2026-10-2")
