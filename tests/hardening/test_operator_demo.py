"""`python -m bot demo` invents a history an operator can believe: nothing after the moment the
command runs, English subjects tagged `en` (and French ones `fr`), and only the channels the
service has (email and Slack), also on the acknowledgements it records.
"""

from __future__ import annotations

import argparse
import asyncio
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.demo.command import history_end, plan_history, register
from bot.organisations import load_directory
from bot.settings import Settings
from bot.sla.policy import default_policy
from bot.store.db import create_engine, sessions
from bot.store.models import Outbox, Ticket, TicketEvent
from nlp.language import detect_language

ZONE = ZoneInfo("America/Toronto")
CHANNELS = {"email", "slack"}


def _demo(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["demo", *argv])
    err = io.StringIO()
    return args.handler(args, out=io.StringIO(), err=err), err.getvalue()


async def _latest(settings: Settings) -> list[datetime]:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with sessions(engine)() as session:
            found = [
                (await session.exec(select(func.max(Ticket.created_at)))).one(),
                (await session.exec(select(func.max(Ticket.updated_at)))).one(),
                (await session.exec(select(func.max(TicketEvent.at)))).one(),
                (await session.exec(select(func.max(Outbox.sent_at)))).one(),
            ]
    finally:
        await engine.dispose()
    return [moment.replace(tzinfo=UTC) for moment in found if moment is not None]


@pytest.fixture
def empty_store(migrated: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GUICHET_DATA_DIR", str(migrated.data_dir))
    monkeypatch.setenv("GUICHET_MAIL_DOMAIN", migrated.mail_domain)
    return migrated


def test_nothing_happens_after_the_command_ran(empty_store: Settings) -> None:
    # Busy enough that today's afternoon would hold tickets and events if they were invented.
    code, err = _demo("--months", "1", "--per-month", "3000")
    after = datetime.now(UTC)
    assert code == 0, err
    latest = asyncio.run(_latest(empty_store))
    assert latest and max(latest) <= after


def test_a_day_after_today_is_refused(empty_store: Settings) -> None:
    tomorrow = datetime.now(ZONE).date() + timedelta(days=1)
    code, err = _demo("--months", "1", "--per-month", "50", "--until", tomorrow.isoformat())
    assert code == 2
    assert tomorrow.isoformat() in err and "future" in err
    assert not asyncio.run(_latest(empty_store))


def test_languages_and_channels_are_real() -> None:
    directory = load_directory(Settings().organisations_file)
    tickets = plan_history(
        directory,
        default_policy(),
        seed=3,
        months=2,
        per_month=300,
        until=datetime.combine(date(2026, 11, 27), datetime.min.time(), ZONE),
    )
    assert {t.channel for t in tickets} == CHANNELS
    languages = {t.language for t in tickets}
    assert languages == {"fr", "en"}
    for ticket in tickets:
        assert detect_language(ticket.subject).value == ticket.language, ticket.subject


def test_the_history_ends_at_five_or_now_whichever_is_earlier() -> None:
    morning = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)
    evening = datetime(2026, 11, 25, 19, 0, tzinfo=ZONE)
    assert history_end(None, morning, ZONE) == morning
    assert history_end(None, evening, ZONE) == datetime(2026, 11, 25, 17, 0, tzinfo=ZONE)
    assert history_end(date(2026, 11, 20), morning, ZONE) == datetime(
        2026, 11, 20, 17, 0, tzinfo=ZONE
    )
    with pytest.raises(ValueError, match="future"):
        history_end(date(2026, 11, 26), evening, ZONE)
