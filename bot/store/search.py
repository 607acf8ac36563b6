"""Full-text search over tickets: their subject and what the requester wrote.

The same meaning on both engines: accents and case folded, words split on punctuation, each word
of the query a prefix ("ecran" finds "Écran", "imprim" finds "l'imprimante"), all of them
required. What people type is never query syntax: only its words (at most `MAX_TERMS`) reach the
engine, so quotes, `-`, `OR` or `*` are words or nothing. Text with no word at all (punctuation)
matches a case-insensitive substring of the subject.

On SQLite, an FTS5 table (`ticket_search`, migration 0010) whose row id is the ticket's; each
word becomes a quoted prefix term.

On PostgreSQL, a `tsvector` per ticket (`ticket_search.document`, GIN index, migration 0010) in
the `simple` configuration, language-agnostic since the desk writes French and English, over
text whose accents `ticket_search_fold` removes (`unaccent`). The query's words are folded the
same way, then each becomes a quoted prefix lexeme (`'ecran':* & 'noir':*`) for `to_tsquery`;
any quote or backslash folding produced is removed first, so the only syntax is ours.
`websearch_to_tsquery` is not used: it has no prefixes and reads `or` and `-` as operators,
which the SQLite search and the API's callers do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, bindparam, func, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import storable_text
from bot.store.models import Ticket

TABLE = "ticket_search"
MAX_TERMS = 8
MAX_TERM_CHARS = 40
MAX_QUERY_CHARS = 400
MAX_INDEXED_CHARS = 100_000  # of each text; a tsvector holds at most 1 MB
_WORD = re.compile(r"\w+")
# Fixed statements; the values are always bound parameters.
_SQLITE = {
    "select": "SELECT rowid FROM ticket_search WHERE ticket_search MATCH :terms",
    "insert": "INSERT INTO ticket_search(rowid, subject, body) VALUES (:id, :subject, :body)",
    "append": "UPDATE ticket_search SET body = body || char(10) || :body WHERE rowid = :id",
}
# :words holds word characters and spaces only; folding may add quotes or backslashes (unaccent
# turns "ʼ" into "'"), which `translate` blanks before each word is quoted as a prefix.
_POSTGRESQL = {
    "select": r"""
SELECT ticket_id FROM ticket_search WHERE document @@ to_tsquery('simple', (
  SELECT string_agg('''' || w || ''':*', ' & ')
  FROM regexp_split_to_table(
    translate(ticket_search_fold(CAST(:words AS text)), '''\', '  '), '\s+') AS w
  WHERE w <> ''))
""",
    "insert": "INSERT INTO ticket_search (ticket_id, document) VALUES "
    "(:id, to_tsvector('simple', ticket_search_fold(CAST(:text AS text))))",
    # A tsvector holds at most 1 MB of lexemes, and a text adds at most 4 x MAX_INDEXED_CHARS
    # bytes: past half a megabyte (its text form, which is longer), later text is not indexed.
    "append": "UPDATE ticket_search SET document = document || "
    "to_tsvector('simple', ticket_search_fold(CAST(:text AS text))) WHERE ticket_id = :id "
    "AND octet_length(CAST(document AS text)) < 500000",
}


def is_search_table(name: str | None) -> bool:
    """The search table (and FTS5's shadow tables): not described by the models (schema checks
    skip them)."""
    return bool(name) and str(name).startswith(TABLE)


def words(query: str) -> list[str]:
    """The words of `query` the search looks for: at most `MAX_TERMS`, each capped."""
    return [w[:MAX_TERM_CHARS] for w in _WORD.findall(query[:MAX_QUERY_CHARS])[:MAX_TERMS]]


def terms(query: str) -> str:
    """`query` as FTS5 terms: its words, each a quoted prefix (no operator of the person's
    reaches the engine); empty when there is no word."""
    return " ".join(f'"{w}"*' for w in words(query))


def _clean(value: str) -> str:
    return storable_text(value[:MAX_INDEXED_CHARS])


def _engine(session: AsyncSession) -> str:
    bind = session.bind
    return bind.dialect.name if bind is not None else ""


def matching(session: AsyncSession, query: str) -> ColumnElement[bool]:
    """The condition "this ticket matches `query`" for a `select(Ticket)`."""
    query = storable_text(query[:MAX_QUERY_CHARS])
    engine = _engine(session)
    wanted = words(query)
    if engine == "sqlite" and wanted:
        found = text(_SQLITE["select"]).bindparams(bindparam("terms", terms(query)))
        return col(Ticket.id).in_(found)
    if engine == "postgresql" and wanted:
        found = text(_POSTGRESQL["select"]).bindparams(bindparam("words", " ".join(wanted)))
        return col(Ticket.id).in_(found)
    return func.lower(col(Ticket.subject)).contains(query[:200].lower(), autoescape=True)


async def index(session: AsyncSession, ticket_id: int, subject: str, body: str) -> None:
    """Make a new ticket findable (the caller commits)."""
    await index_many(session, [(ticket_id, subject, body)])


async def index_many(session: AsyncSession, tickets: Sequence[tuple[int, str, str]]) -> None:
    """Make new tickets findable, (id, subject, body) each, in one statement (the caller
    commits)."""
    if not tickets:
        return
    engine = _engine(session)
    if engine == "sqlite":
        rows = [{"id": i, "subject": subject, "body": body} for i, subject, body in tickets]
        await (await session.connection()).execute(text(_SQLITE["insert"]), rows)
    elif engine == "postgresql":
        rows = [
            {"id": i, "text": f"{_clean(subject)}\n{_clean(body)}"} for i, subject, body in tickets
        ]
        await (await session.connection()).execute(text(_POSTGRESQL["insert"]), rows)


async def add_text(session: AsyncSession, ticket_id: int, body: str) -> None:
    """What the requester wrote later (a follow-up) is searched too (the caller commits)."""
    if not body.strip():
        return
    engine = _engine(session)
    if engine == "sqlite":
        values = {"id": ticket_id, "body": body}
        await (await session.connection()).execute(text(_SQLITE["append"]), values)
    elif engine == "postgresql":
        values = {"id": ticket_id, "text": _clean(body)}
        await (await session.connection()).execute(text(_POSTGRESQL["append"]), values)


_ALL = {
    "sqlite": "INSERT INTO ticket_search(rowid, subject, body) SELECT id, subject, '' FROM ticket",
    "postgresql": "INSERT INTO ticket_search (ticket_id, document) "
    "SELECT id, to_tsvector('simple', ticket_search_fold(subject)) FROM ticket",
}


async def index_subjects(connection: AsyncConnection) -> None:
    """Make every ticket of a store filled in bulk (the demo's) findable by its subject; the
    search index must be empty (the caller commits)."""
    statement = _ALL.get(connection.dialect.name)
    if statement is not None:
        await connection.execute(text(statement))
