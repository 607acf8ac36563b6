"""Full-text search on PostgreSQL (a `tsvector` over the subject and what the requester wrote,
accents folded, words as prefixes), through the tickets API as a desk uses it."""

from __future__ import annotations

import argparse
import asyncio
import io

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from bot.demo.command import register
from bot.settings import Settings
from bot.store import search
from bot.store.db import Sessions, create_engine, sessions
from bot.store.models import Role, Ticket
from bot.store.search import matching as search_matching
from tests.api.helpers import Api, account, ticket


async def wrote(store: Sessions, number: str, body: str) -> None:
    """What the requester wrote later, indexed as the dispatcher does for a follow-up."""
    async with store() as session:
        found = (await session.exec(select(Ticket.id).where(Ticket.number == number))).one()
        assert found is not None
        await search.add_text(session, found, body)
        await session.commit()


@pytest.fixture
async def desk(api: Api, store: Sessions) -> tuple[Api, str, dict[str, str]]:
    """A lead's token and three tickets: one with accents in its subject, one whose words are
    only in the body, one unrelated."""
    lead = await account(store, "cheffe@itq.example", Role.LEAD)
    numbers = {
        "screen": await ticket(store, "Écran noir après la mise à jour"),
        "printer": await ticket(store, "Problème"),
        "vpn": await ticket(store, "VPN coupé"),
    }
    await wrote(store, numbers["printer"], "Bonjour, l'imprimante du 3e étage est bloquée.")
    return api, lead, numbers


async def found(desk: tuple[Api, str, dict[str, str]], q: str) -> list[str]:
    api, lead, _ = desk
    status, body, _ = await api.call("GET", "/api/v1/tickets", lead, params={"q": q})
    assert status == 200, body
    return sorted(t["number"] for t in body["tickets"])


async def test_the_store_is_postgresql(migrated: Settings) -> None:
    assert migrated.sqlalchemy_url.startswith("postgresql+asyncpg://")


async def test_accents_and_case_are_folded(desk: tuple[Api, str, dict[str, str]]) -> None:
    numbers = desk[2]
    assert await found(desk, "ecran") == [numbers["screen"]]
    assert await found(desk, "ÉCRAN MISE A JOUR") == [numbers["screen"]]
    assert await found(desk, "coupe") == [numbers["vpn"]]


async def test_a_word_written_in_the_body_finds_the_ticket(
    desk: tuple[Api, str, dict[str, str]],
) -> None:
    numbers = desk[2]
    assert await found(desk, "imprimante bloquee") == [numbers["printer"]]
    assert await found(desk, "etage") == [numbers["printer"]]
    assert await found(desk, "imprim") == [numbers["printer"]]  # a prefix


async def test_words_found_nowhere_find_nothing(desk: tuple[Api, str, dict[str, str]]) -> None:
    assert await found(desk, "clavier") == []
    assert await found(desk, "imprimante clavier") == []  # every word is required


HOSTILE = [
    '"écran',
    "écran'); DROP TABLE ticket; --",
    "écran & | ! ( ) :* <-> \\",
    "-écran OR noir",
    "ʼ ' \\ ʼʼ",
    "écran\x00noir",
    "'",
    "!!!",
    "a" * 5000,
]


async def test_hostile_text_is_words_not_syntax(
    desk: tuple[Api, str, dict[str, str]], store: Sessions
) -> None:
    api, lead, numbers = desk
    for hostile in HOSTILE:
        status, body, _ = await api.call("GET", "/api/v1/tickets", lead, params={"q": hostile})
        assert status in (200, 400), (hostile, status, body)  # never a 500
    # quotes, minus and OR are not operators: every word is required, as on SQLite
    assert await found(desk, '"ecran noir') == [numbers["screen"]]
    assert await found(desk, "-ecran") == [numbers["screen"]]
    assert await found(desk, "ecran OR vpn") == []
    assert await found(desk, "ʼecran ʻnoir ʽ") == [numbers["screen"]]  # unaccent makes quotes
    async with store() as session:  # and nothing was dropped
        assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 3


def test_demo_tickets_are_findable(
    settings: Settings, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m bot demo` on PostgreSQL fills the search index as on SQLite."""
    monkeypatch.setenv("GUICHET_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GUICHET_DATABASE_URL", postgres_url)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["demo", "--months", "1", "--per-month", "20", "--until", "2026-11-27"]
    )
    assert args.handler(args, out=io.StringIO(), err=io.StringIO()) == 0

    async def search() -> tuple[int, int]:
        engine = create_engine(postgres_url)
        async with sessions(engine)() as session:
            subjects = (await session.exec(select(Ticket.subject))).all()
            word = max((w for s in subjects for w in s.split()), key=len)
            wanted = select(Ticket.id).where(search_matching(session, word))
            found = len((await session.exec(wanted)).all())
            indexed = (await session.exec(text("SELECT count(*) FROM ticket_search"))).one()
        await engine.dispose()
        return found, indexed[0]

    found, indexed = asyncio.run(search())
    assert found >= 1 and indexed == 20


async def test_long_follow_ups_never_overflow_the_index(store: Sessions) -> None:
    """A tsvector holds at most 1 MB: follow-ups past that are kept but no longer indexed, and
    never make the message fail."""
    number = await ticket(store, "Journal d'erreurs")
    for k in range(12):  # 12 x 100,000 characters of distinct words
        await wrote(store, number, " ".join(f"e{k}x{i:06d}" for i in range(11_000)))
    async with store() as session:
        first = select(Ticket.number).where(search_matching(session, "e0x000001"))
        assert (await session.exec(first)).all() == [number]
