"""`report` end to end on a demo store: HTML, CSV and a real PDF from Chromium; the fallbacks."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from bot.organisations import load_directory
from bot.reports.command import register
from bot.reports.schedule import run_schedule
from bot.settings import Settings
from bot.sla.policy import default_policy
from bot.store.db import create_engine, sessions
from bot.store.models import Outbox


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["report", *argv])


def run(*argv: str) -> tuple[int, str, str]:
    args = parse(*argv)
    out, err = io.StringIO(), io.StringIO()
    code = args.handler(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_one_organisation_html_csv_and_pdf(demo: Settings, tmp_path: Path, chromium: str) -> None:
    code, out, err = run("--month", "2026-10", "--org", "msss", "--out", str(tmp_path))
    assert code == 0, err
    assert "msss:" in out and "report.pdf" in out
    folder = tmp_path / "msss"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Ministère de la Santé et des Services sociaux" in html
    assert "octobre 2026" in html and "Remise en service des incidents" in html
    assert html.count("<svg") == 4  # matplotlib charts, inline
    # Self-contained: nothing fetched from elsewhere.
    assert not re.search(r"<(script|link|img)\b", html)
    assert "\u00a0%" in html  # French percentages
    with (folder / "report.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["organisation"] for r in rows} == {"msss"}
    in_month = [r for r in rows if r["in_month"] == "oui"]
    assert all(r["created_at"].startswith("2026-10") for r in in_month)
    assert any(r["severity"] and r["met"] in ("oui", "non") for r in rows)
    pdf = (folder / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_without_chromium_html_and_csv_are_written_and_the_exit_says_why(
    demo: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    code, _, err = run("--month", "2026-10", "--out", str(out), "--chromium", "/nope/chromium")
    assert code == 1
    assert "install the Debian package `chromium`" in err
    assert err.count("error:") == 1  # said once, not per organisation
    folders = sorted(out.iterdir())
    assert len(folders) >= 5
    for folder in folders:
        assert (folder / "report.html").exists()
        assert (folder / "report.csv").exists()
        assert not (folder / "report.pdf").exists()


def test_bad_input(demo: Settings, tmp_path: Path) -> None:
    code, _, err = run("--month", "2026-10", "--org", "nobody", "--out", str(tmp_path))
    assert code == 1 and "no organisation 'nobody'" in err


def keys(settings: Settings) -> list[str]:
    async def read() -> list[str]:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                return list((await session.exec(select(Outbox.key))).all())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_schedule_mails_each_organisation_once(demo: Settings, tmp_path: Path) -> None:
    directory, policy = load_directory(demo.organisations_file), default_policy()

    def schedule(now: datetime) -> tuple[int, str]:
        out = io.StringIO()
        code = run_schedule(
            Settings(), directory, policy, now, month=None, org="msss", out=tmp_path,
            url="https://rapports.example/2026-10", stdout=out, stderr=io.StringIO(),
            chromium="/nope/chromium",
        )  # fmt: skip
        return code, out.getvalue()

    # Sunday 1 November 2026: not a business day, nothing is sent yet.
    code, out = schedule(datetime(2026, 11, 1, 15, 0, tzinfo=UTC))
    assert code == 0 and "nothing to do before 2026-11-02" in out
    assert not [k for k in keys(demo) if k.startswith("report:")]
    code, out = schedule(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    assert "msss: report for 2026-10" in out and "(queued)" in out
    code, out = schedule(datetime(2026, 11, 3, 14, 0, tzinfo=UTC))  # a day later: not again
    assert "already sent" in out
    assert [k for k in keys(demo) if k.startswith("report:")] == ["report:msss:2026-10"]


def test_schedule_mail_text(demo: Settings, tmp_path: Path) -> None:
    run_schedule(
        Settings(), load_directory(demo.organisations_file), default_policy(),
        datetime(2026, 11, 2, 14, 0, tzinfo=UTC), month="2026-10", org="mjq", out=tmp_path,
        url="", stdout=io.StringIO(), stderr=io.StringIO(), chromium="/nope/chromium",
    )  # fmt: skip

    async def payload() -> dict[str, object]:
        engine = create_engine(demo.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                row = (
                    await session.exec(select(Outbox).where(Outbox.key == "report:mjq:2026-10"))
                ).one()
                return row.payload
        finally:
            await engine.dispose()

    message = asyncio.run(payload())
    assert message["to"] == ["dri@justice.example"]
    assert message["subject"] == "Tableau de bord du Centre de service — octobre 2026"
    text = str(message["text"])
    assert "Ministère de la Justice, octobre 2026" in text
    assert "Résolution au premier contact" in text
    assert str(tmp_path / "mjq" / "report.html") in text  # no PDF without Chromium: the page
