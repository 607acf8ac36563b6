"""Redirected, self-service and outage-linked tickets in a real store, through the loader, the
figures, the page, the CSV and the mailed summary."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.demo.command import write_history
from bot.demo.plan import PlannedEvent, PlannedTicket
from bot.organisations import load_directory
from bot.reports.collect import Period, collect, targets_of
from bot.reports.command import register
from bot.reports.make import Written
from bot.reports.metrics import Figures, Rate, compute
from bot.reports.outcomes import ArticleLine
from bot.reports.render import render_html
from bot.reports.rows import TicketRow
from bot.reports.schedule import summary_text
from bot.settings import Settings
from bot.sla.policy import build_calendars, default_policy
from bot.store.db import create_engine, sessions

POLICY = default_policy()
MONDAY = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)  # 10:00 in Montréal
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
OFFICE: dict[str, Any] = {
    "kind": "incident",
    "team": "workstation",
    "level": "N1",
    "severity": "P4",
}
QUESTION: dict[str, Any] = {"kind": "question", "team": None, "level": "N1", "severity": None}
OFFERED = "selfservice_offered"
CONFIRMED = "selfservice_confirmed"
EXPIRED = "selfservice_expired"


def ticket(ident: int, steps: list[tuple[str, dict[str, Any]]], *, org: str = "msss",
           channel: str = "email", **labels: Any) -> PlannedTicket:  # fmt: skip
    """A ticket opened on MONDAY + ``ident`` hours; one step a quarter of an hour. A step is a log
    entry, or ("status", {"to": …}) for a status change."""
    at = MONDAY + timedelta(hours=ident)
    t = PlannedTicket(
        id=ident, organisation=org, requester=f"personne{ident}@{org}.gouv.example",
        requester_name=f"Personne {ident}", language="fr", channel=channel,
        subject=f"Billet {ident}", created_at=at, proposed=labels.get("severity"),
        proposed_level=labels["level"], **labels,
    )  # fmt: skip
    t.events.append(PlannedEvent(at, "opened", data={"channel": channel, "organisation": org}))
    proposal = {"model": "test", **{k: labels[k] for k in ("kind", "severity", "level", "team")}}
    t.events.append(PlannedEvent(at, "proposed", data=proposal))
    for n, (type_, data) in enumerate(steps, start=1):
        when = at + timedelta(minutes=15 * n)
        if type_ == "status":
            data = {"from": t.status, "to": data["to"]}
            t.status, type_ = data["to"], "status_changed"
        t.events.append(PlannedEvent(when, type_, "agent", data))
        t.updated_at = when
    return t


def to(status: str) -> tuple[str, dict[str, Any]]:
    return "status", {"to": status}


def offered(article: str) -> list[tuple[str, dict[str, Any]]]:
    """An article sent; the ticket waits for the requester's answer (as the dispatcher does)."""
    return [(OFFERED, {"article": article}), to("waiting_on_user")]


def answer(text: str, via: str = "email") -> tuple[str, dict[str, Any]]:
    return CONFIRMED, {"answer": text, "via": via}


def redirected(where: str) -> tuple[str, dict[str, Any]]:
    return "redirected", {"to": where}


LINKED = ("outage_linked", {"outage": "PAN-000001"})


def history() -> list[PlannedTicket]:
    escalate = ("level_set", {"from": "N1", "to": "N2"})
    return [
        ticket(1, [to("open"), to("resolved")], **OFFICE),  # first contact, by an agent
        ticket(2, [to("open"), escalate, to("resolved")], **{**OFFICE, "team": "collaboration"}),
        ticket(
            3,
            [*offered("password-reset"), answer("solved", "slack"), to("resolved")],
            channel="slack",
            **QUESTION,
        ),
        ticket(
            4,
            [*offered("teams-audio-video"), answer("unsolved"), to("open"), to("resolved")],
            **OFFICE,
        ),
        ticket(5, offered("outlook-calendar-sharing"), **{**QUESTION, "kind": "request"}),
        # An office incident at N1, redirected: neither restoration nor first contact.
        ticket(6, [redirected("paie-rh"), to("redirected")], **OFFICE),
        ticket(7, [redirected("paie-rh"), to("redirected")], **{**QUESTION, "kind": "request"}),
        ticket(8, [redirected("immeubles"), to("redirected")], **QUESTION),
        # A report of an outage, resolved with it.
        ticket(9, [to("linked"), LINKED, to("resolved")], **{**OFFICE, "severity": "P3"}),
        ticket(10, [redirected("paie-rh"), to("redirected")], org="mjq", **QUESTION),
        # No answer in time: back to the agents, who solve it at N1.
        ticket(
            11,
            [*offered("mfa-new-phone"), (EXPIRED, {}), to("open"), to("resolved")],
            **{**OFFICE, "team": "identity"},
        ),
    ]


@pytest.fixture
def seeded(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", migrated.mail_domain)

    async def write() -> None:
        engine = create_engine(migrated.sqlalchemy_url)
        try:
            await write_history(engine, history())
        finally:
            await engine.dispose()

    asyncio.run(write())
    return migrated


def rows_of(settings: Settings) -> dict[str, list[TicketRow]]:
    calendars = build_calendars(POLICY)
    period = Period.month("2026-10", calendars["business"].time_zone, NOW)

    async def read() -> dict[str, list[TicketRow]]:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                return await collect(session, period, POLICY, calendars)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_the_loader_fills_the_rows_from_the_log(seeded: Settings) -> None:
    rows = {r.number: r for r in rows_of(seeded)["msss"]}
    assert rows["CSC-000006"].redirected_to == "paie-rh"
    assert rows["CSC-000006"].status == "redirected" and rows["CSC-000006"].state == "stopped"
    assert (rows["CSC-000003"].self_service, rows["CSC-000003"].article) == (
        "solved",
        "password-reset",
    )
    assert rows["CSC-000004"].self_service == "unsolved"
    assert rows["CSC-000011"].self_service == "expired" and rows["CSC-000011"].resolved
    assert rows["CSC-000005"].self_service == "offered" and rows["CSC-000005"].state == "paused"
    assert rows["CSC-000009"].outage == "PAN-000001" and rows["CSC-000009"].status == "resolved"
    assert rows["CSC-000001"].redirected_to is None and rows["CSC-000001"].self_service is None


def msss_figures(settings: Settings) -> Figures:
    return compute(rows_of(settings)["msss"], targets_of(POLICY))


def test_the_figures(seeded: Settings) -> None:
    f = msss_figures(seeded)
    assert f.tickets == 10
    # 1, 3 (self-service), 4, 11 of 1–4 and 11; not 6 (redirected) nor 9 (linked)
    assert f.fcr == Rate(4, 5)
    assert (f.redirected, f.redirected_share) == (3, 3 / 10)
    assert f.redirected_to == {"paie-rh": 2, "immeubles": 1}
    assert f.linked == 1
    ss = f.self_service
    assert (ss.offered, ss.solved, ss.unsolved, ss.expired, ss.pending) == (4, 1, 1, 1, 1)
    assert ss.rate == 1 / 4
    assert ArticleLine("password-reset", 1, 1) in ss.by_article
    p4 = next(line for line in f.restoration if line.severity == "P4")
    assert (p4.count, p4.rate) == (4, Rate(4, 4))  # 1, 2, 4, 11: not the redirected 6
    assert (f.backlog, f.backlog_by_state) == (1, {"paused": 1})  # 5, waiting for its answer


def run_report(out: Path) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["report", "--month", "2026-10", "--out", str(out), "--chromium", "/nope/chromium"]
    )
    return int(args.handler(args, out=io.StringIO(), err=io.StringIO()))


def test_the_page_and_the_csv(seeded: Settings, tmp_path: Path) -> None:
    assert run_report(tmp_path) == 1  # no Chromium: no PDF, the rest is written
    html = (tmp_path / "msss" / "report.html").read_text(encoding="utf-8")
    assert "Libre-service, redirections et pannes" in html
    assert "Réglés en libre-service" in html and "1 sur 4 articles proposés" in html
    assert "aucune réponse dans le délai (billet repris par un agent), 1" in html
    assert "Rattachés à une panne" in html and "Redirigés vers" in html
    assert "(paie-rh)" in html and "(immeubles)" in html  # names from the catalogue, and ids
    assert "<td>password-reset</td>" in html
    assert "80,0\u00a0%" in html  # first contact: 4 of 5
    with (tmp_path / "msss" / "report.csv").open(encoding="utf-8-sig", newline="") as handle:
        lines = {r["number"]: r for r in csv.DictReader(handle)}
    assert set(lines) == {f"CSC-{n:06d}" for n in (*range(1, 10), 11)}
    assert lines["CSC-000006"]["redirected_to"] == "paie-rh"
    assert lines["CSC-000006"]["self_service"] == lines["CSC-000006"]["outage"] == ""
    assert (lines["CSC-000003"]["self_service"], lines["CSC-000003"]["article"]) == (
        "solved",
        "password-reset",
    )
    assert lines["CSC-000005"]["self_service"] == "offered"
    assert lines["CSC-000011"]["self_service"] == "expired"
    assert lines["CSC-000009"]["outage"] == "PAN-000001"
    assert lines["CSC-000001"]["redirected_to"] == lines["CSC-000001"]["article"] == ""
    other = (tmp_path / "mjq" / "report.csv").read_text(encoding="utf-8-sig")
    assert "CSC-000010" in other and "paie-rh" in other


def test_destinations_are_named_and_unknown_ones_shown_by_id(seeded: Settings) -> None:
    org = load_directory(seeded.organisations_file).by_id("msss")
    assert org is not None
    html = render_html(org, "2026-10", msss_figures(seeded), NOW, {"paie-rh": "Paie et RH"})
    assert "<td>Paie et RH <span" in html and "<td>immeubles</td>" in html


def test_the_mailed_summary(seeded: Settings, tmp_path: Path) -> None:
    org = load_directory(seeded.organisations_file).by_id("msss")
    assert org is not None
    text = summary_text(Written(org, msss_figures(seeded), tmp_path, False), "2026-10", "ici")
    assert (
        "- Articles de la base de connaissances proposés : 4 ; "
        "problème réglé selon le demandeur : 1 (25,0\u00a0%)"
    ) in text
    assert (
        "- Billets redirigés vers un autre centre de soutien : 3 (30,0\u00a0% des billets reçus)"
    ) in text
    assert "- Billets rattachés à une panne : 1" in text
    assert "Résolution au premier contact : 80,0\u00a0%" in text
