"""Full-text search over tickets: subject and what the requester wrote

SQLite: an FTS5 table. PostgreSQL: a `tsvector` per ticket with a GIN index, the `simple`
configuration (no language's stemming: the desk writes French and English) over text whose
accents `ticket_search_fold` removes (`unaccent` when the server has it, else unchanged).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The text of one ticket's inbound messages. A tsvector holds at most 1 MB of lexemes: the
# subject and bodies together are cut at 200,000 characters (at most 800 kB).
_BODIES = (
    "coalesce((SELECT string_agg(m.body, E'\\n' ORDER BY m.id) FROM message m"
    " WHERE m.ticket_id = t.id AND m.direction = 'in'), '')"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _upgrade_postgresql()
    if dialect != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE ticket_search USING fts5("
        "subject, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO ticket_search(rowid, subject, body) "
        "SELECT t.id, t.subject, coalesce(("
        "  SELECT group_concat(m.body, char(10)) FROM message m"
        "  WHERE m.ticket_id = t.id AND m.direction = 'in'), '') "
        "FROM ticket t"
    )


def _upgrade_postgresql() -> None:
    fold = "$1"
    schema = _unaccent_schema()
    if schema is not None:
        fold = f'"{schema}".unaccent(\'"{schema}".unaccent\'::regdictionary, $1)'
    op.execute(
        "CREATE FUNCTION ticket_search_fold(text) RETURNS text "
        f"LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$ SELECT {fold} $$"
    )
    op.execute(
        "CREATE TABLE ticket_search ("
        " ticket_id integer PRIMARY KEY REFERENCES ticket (id) ON DELETE CASCADE,"
        " document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ticket_search_document ON ticket_search USING gin (document)")
    op.execute(
        "INSERT INTO ticket_search (ticket_id, document) "  # noqa: S608 (constants only)
        "SELECT t.id, to_tsvector('simple', ticket_search_fold("
        f"left(t.subject || E'\\n' || {_BODIES}, 200000))) FROM ticket t"
    )


def _unaccent_schema() -> str | None:
    """The schema of the `unaccent` extension, created if the server ships it and lets us."""
    bind = op.get_bind()
    available = "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'"
    if bind.execute(sa.text(available)).first() is None:
        return None
    try:
        with bind.begin_nested():  # a refusal (no privilege) must not abort the migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError:
        return None
    found = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        )
    ).scalar_one()
    return str(found)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        op.execute("DROP TABLE ticket_search")
    if dialect == "postgresql":  # the unaccent extension stays: others may use it
        op.execute("DROP FUNCTION ticket_search_fold(text)")
