"""The client's dashboard headlines the first answer by a person, not the bot's own
acknowledgement, and keeps the desk's internal figures (how often agents accepted the
classifier's proposals) out of every client file: HTML (and the PDF printed from it), CSV,
and the mail summary. On demo data, through the real `report` and `report --schedule`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.organisations import load_directory
from bot.reports.command import register
from bot.reports.schedule import run_schedule
from bot.settings import Settings
from bot.sla import format as fmt
from bot.sla.policy import default_policy
from bot.store.db import create_engine, sessions
from bot.store.models import Outbox
from tests.reports.conftest import fill

# The internal figures: the agents' decisions on the classifier's proposals.
INTERNAL = re.compile(
    r"priorit[ée]s? propos[ée]e|décisions? des agents|agents ont confirmé|confirmée dans"
    r"|severity_decision|model",
    re.IGNORECASE,
)


@pytest.fixture
def demo_store(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", migrated.mail_domain)
    fill(migrated)
    return migrated


def _report(folder: Path) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["report", "--month", "2026-10", "--org", "msss", "--out", str(folder),
         "--chromium", "/nope/chromium"]
    )  # fmt: skip
    args.handler(args, out=io.StringIO(), err=io.StringIO())  # 1: no PDF without Chromium


def _rates(rows: list[dict[str, str]]) -> tuple[str, str]:
    """The month's rates of first answers within target: by a person, and of any kind."""

    def rate(column: str) -> str:
        decided = [r[column] for r in rows if r["in_month"] == "oui" and r[column]]
        return fmt.percent(decided.count("oui") / len(decided))

    return rate("first_person_answer_met"), rate("first_answer_met")


def test_the_headline_is_the_person_and_internal_figures_stay_out(
    demo_store: Settings, tmp_path: Path
) -> None:
    _report(tmp_path)
    folder = tmp_path / "msss"
    text = (folder / "report.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    person, automatic = _rates(rows)
    assert person != automatic  # on demo data the bot answers fast, people less so

    html = (folder / "report.html").read_text(encoding="utf-8")
    summary = html[html.index("<h2>En bref</h2>") : html.index("</section>")]
    tile = next(t for t in summary.split('<div class="tuile">') if "réponse" in t)
    headline = re.search(r'<div class="valeur">([^<]*)</div>', tile)
    assert headline is not None and headline.group(1) == person
    assert "personne" in tile[: tile.index('class="valeur"')]
    # The automatic figure is beside it, smaller and labelled.
    assert re.search(rf'class="auto">[^<]*automatique[^<]*{re.escape(automatic)}', tile)

    assert not INTERNAL.search(re.sub(r"<svg.*?</svg>", "", html, flags=re.DOTALL))
    assert not INTERNAL.search(text)


def test_the_mail_summary_leads_with_the_person(demo_store: Settings, tmp_path: Path) -> None:
    _report(tmp_path / "check")
    rows = list(
        csv.DictReader(
            io.StringIO((tmp_path / "check/msss/report.csv").read_text(encoding="utf-8-sig"))
        )
    )
    person, automatic = _rates(rows)
    run_schedule(
        Settings(), load_directory(demo_store.organisations_file), default_policy(),
        datetime(2026, 11, 2, 14, 0, tzinfo=UTC), month="2026-10", org="msss", out=tmp_path,
        url="", stdout=io.StringIO(), stderr=io.StringIO(), chromium="/nope/chromium",
    )  # fmt: skip

    async def mail_text() -> str:
        engine = create_engine(demo_store.sqlalchemy_url)
        try:
            async with sessions(engine)() as session:
                query = select(Outbox).where(Outbox.key == "report:msss:2026-10")
                return str((await session.exec(query)).one().payload["text"])
        finally:
            await engine.dispose()

    text = asyncio.run(mail_text())
    line = next(ln for ln in text.splitlines() if "Première réponse" in ln)
    assert "personne" in line and person in line
    assert line.index(person) < line.index(automatic)
    assert "automatique" in line[line.index(person) :]
    assert not INTERNAL.search(text)
