"""Full-text search over tickets (SQLite FTS5): subject and what the requester wrote

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL searches subjects by substring until a tsvector index comes
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


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE ticket_search")
