"""Redirections, self-service answers and outage reports: read from the log, then counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.reports.metrics import Rate, compute
from bot.reports.outcomes import ArticleLine, linked_outage, redirected_to, self_service
from bot.sla.store import Entry

from .test_metrics import TARGETS, row

T0 = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)


def log(*entries: tuple[str, dict[str, Any]]) -> list[Entry]:
    return [Entry(T0 + timedelta(minutes=i), t, d) for i, (t, d) in enumerate(entries)]


def status(old: str, new: str) -> tuple[str, dict[str, Any]]:
    return "status_changed", {"from": old, "to": new}


OPENED = ("opened", {"channel": "email"})


def test_redirection_read_from_the_log() -> None:
    redirect = ("redirected", {"to": "paie-rh"})
    assert redirected_to(log(OPENED, redirect, status("new", "redirected"))) == "paie-rh"
    assert redirected_to(log(OPENED, status("new", "redirected"), redirect)) == "paie-rh"
    assert redirected_to(log(OPENED, status("new", "redirected"))) == ""  # by hand: no id
    assert redirected_to(log(OPENED, status("new", "open"), status("open", "resolved"))) is None
    # The requester says it is for us after all: the desk's ticket again.
    back = log(OPENED, redirect, status("new", "redirected"), status("redirected", "open"))
    assert redirected_to(back) is None
    assert redirected_to(log(OPENED, redirect, status("new", "redirected"), status(
        "redirected", "closed"))) == "paie-rh"  # fmt: skip


def test_outage_reports_stay_reports_once_resolved_with_the_outage() -> None:
    linked = ("outage_linked", {"outage": "PAN-000004"})
    assert linked_outage(log(OPENED, status("new", "linked"), linked)) == "PAN-000004"
    resolved = log(OPENED, status("new", "linked"), linked, status("linked", "resolved"))
    assert linked_outage(resolved) == "PAN-000004"
    taken = log(OPENED, status("new", "linked"), linked, status("linked", "in_progress"))
    assert linked_outage(taken) is None  # an agent handles it on its own
    assert linked_outage(log(OPENED, status("new", "linked"))) == ""
    assert linked_outage(log(OPENED)) is None


def test_self_service_state_is_the_latest_answer_to_the_latest_article() -> None:
    offered = ("selfservice_offered", {"article": "password-reset"})
    solved = ("selfservice_confirmed", {"answer": "solved", "via": "slack"})
    unsolved = ("selfservice_confirmed", {"answer": "unsolved", "via": "email"})
    assert self_service(log(OPENED)) == (None, None)
    assert self_service(log(OPENED, offered)) == ("offered", "password-reset")
    assert self_service(log(OPENED, offered, solved)) == ("solved", "password-reset")
    assert self_service(log(OPENED, offered, unsolved)) == ("unsolved", "password-reset")
    again = ("selfservice_offered", {"article": "mfa-new-phone"})
    assert self_service(log(OPENED, offered, unsolved, again)) == ("offered", "mfa-new-phone")
    expired: tuple[str, dict[str, Any]] = ("selfservice_expired", {})
    assert self_service(log(OPENED, offered, expired)) == ("expired", "password-reset")
    assert self_service(log(OPENED, offered, solved, expired)) == ("solved", "password-reset")
    odd = ("selfservice_confirmed", {"answer": "maybe"})
    assert self_service(log(OPENED, offered, odd)) == ("offered", "password-reset")
    assert self_service(log(OPENED, solved)) == (None, None)  # no article: nothing to confirm


OFFICE = {"team": "workstation", "level": "N1"}


def test_redirected_tickets_count_neither_in_restoration_nor_first_contact() -> None:
    rows = [
        row(1, **OFFICE, severity="P4", budget_seconds=57600.0),
        row(
            2,
            **OFFICE,
            severity="P4",
            budget_seconds=57600.0,
            status="redirected",
            redirected_to="paie-rh",
            severity_decision=None,
        ),
        row(
            3,
            kind="request",
            severity=None,
            budget_seconds=None,
            met=None,
            status="redirected",
            redirected_to="paie-rh",
        ),
        row(
            4,
            kind="question",
            severity=None,
            budget_seconds=None,
            met=None,
            status="redirected",
            redirected_to="immeubles",
        ),
        row(
            5,
            kind="question",
            severity=None,
            budget_seconds=None,
            met=None,
            status="redirected",
            redirected_to="",
        ),
        row(6, in_month=False, status="redirected", redirected_to="paie-rh"),  # last month
    ]
    figures = compute(rows, TARGETS)
    p4 = next(line for line in figures.restoration if line.severity == "P4")
    assert (p4.count, p4.rate) == (1, Rate(1, 1))
    assert figures.fcr == Rate(1, 1)
    assert figures.redirected == 4 and figures.redirected_share == 4 / 5
    assert figures.redirected_to == {"paie-rh": 2, "immeubles": 1, "–": 1}
    assert figures.decisions == {"confirmed": 0, "changed": 0, "pending": 1}
    assert figures.tickets == 5 and figures.backlog == 0


def test_first_contact_counts_self_service_and_leaves_out_outage_reports() -> None:
    question = {"kind": "question", "severity": None, "budget_seconds": None, "met": None}
    rows = [
        row(1, **OFFICE),  # the current rule
        row(2, **question, team=None, level="N1", self_service="solved", article="a"),
        row(3, **OFFICE, self_service="unsolved", article="a"),  # agents solved it at N1
        row(4, **OFFICE, escalated=True, self_service="unsolved", article="b"),
        row(5, team="network", level="N2", self_service="solved", article="b"),  # any kind
        row(6, **OFFICE, self_service="solved", article="b", reopened=1),  # it came back
        row(7, **question, self_service="offered", article="a", state="running", status="new"),
        row(8, **OFFICE, status="resolved", outage="PAN-000001"),  # linked, then resolved
        row(9, **OFFICE, status="linked", outage="PAN-000001"),
        row(10, **question, team="workstation", level="N1"),  # a question: not eligible
        row(11, **OFFICE, self_service="expired", article="b"),  # no answer: agents solved it
    ]
    figures = compute(rows, TARGETS)
    assert figures.fcr == Rate(5, 7)  # 1, 2, 3, 5, 11 of 1–6 and 11
    assert figures.linked == 2
    ss = figures.self_service
    assert (ss.offered, ss.solved, ss.unsolved, ss.expired, ss.pending) == (7, 3, 2, 1, 1)
    assert ss.rate == 3 / 7
    assert ss.by_article == [ArticleLine("b", 4, 2), ArticleLine("a", 3, 1)]
    assert figures.redirected == 0 and figures.redirected_share == 0
    assert figures.redirected_to == {}


def test_no_ticket_no_rates() -> None:
    figures = compute([], TARGETS)
    assert figures.self_service.rate is None and figures.redirected_share is None
    assert figures.fcr == Rate(0, 0) and figures.linked == 0
