"""Full-text search over tickets: their subject and what the requester wrote.

On SQLite, an FTS5 table (`ticket_search`, migration 0010: accents and case folded, words split
on punctuation, so "ecran" finds "Écran" and "imprim" finds "l'imprimante"); the row id is the
ticket's. Elsewhere (PostgreSQL) the search falls back to a case-insensitive substring of the
subject until a `tsvector` index is added. What people type is never FTS5 syntax: each word
becomes a quoted prefix term, all of them required.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, bindparam, func, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Ticket

TABLE = "ticket_search"
MAX_TERMS = 8
MAX_TERM_CHARS = 40
_WORD = re.compile(r"\w+")
# Fixed statements; the values are always bound parameters.
_SELECT = "SELECT rowid FROM ticket_search WHERE ticket_search MATCH :terms"
_INSERT = "INSERT INTO ticket_search(rowid, subject, body) VALUES (:id, :subject, :body)"
_APPEND = "UPDATE ticket_search SET body = body || char(10) || :body WHERE rowid = :id"


def is_search_table(name: str | None) -> bool:
    """FTS5's table and its shadow tables: not described by the models (schema checks skip)."""
    return bool(name) and str(name).startswith(TABLE)


def terms(query: str) -> str:
    """`query` as FTS5 terms: at most `MAX_TERMS` words, each a quoted prefix (no operator of
    the person's reaches the engine); empty when there is no word."""
    words = _WORD.findall(query[:400])[:MAX_TERMS]
    return " ".join(f'"{w[:MAX_TERM_CHARS]}"*' for w in words)


def _full_text(session: AsyncSession) -> bool:
    bind = session.bind
    return bind is not None and bind.dialect.name == "sqlite"


def matching(session: AsyncSession, query: str) -> ColumnElement[bool]:
    """The condition "this ticket matches `query`" for a `select(Ticket)`."""
    wanted = terms(query)
    if _full_text(session) and wanted:
        found = text(_SELECT).bindparams(bindparam("terms", wanted))
        return col(Ticket.id).in_(found)
    return func.lower(col(Ticket.subject)).contains(query[:200].lower(), autoescape=True)


async def index(session: AsyncSession, ticket_id: int, subject: str, body: str) -> None:
    """Make a new ticket findable (the caller commits)."""
    if _full_text(session):
        connection = await session.connection()
        await connection.execute(
            text(_INSERT),
            {"id": ticket_id, "subject": subject, "body": body},
        )


async def add_text(session: AsyncSession, ticket_id: int, body: str) -> None:
    """What the requester wrote later (a follow-up) is searched too (the caller commits)."""
    if _full_text(session) and body.strip():
        connection = await session.connection()
        await connection.execute(
            text(_APPEND),
            {"id": ticket_id, "body": body},
        )
