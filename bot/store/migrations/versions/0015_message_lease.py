"""Received messages carry a lease, so several workers never process the same one

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECEIVED = "direction = 'in' AND state = 'received'"


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable, no default): no table rebuild on SQLite, no rewrite on
    # PostgreSQL, whatever the number of stored messages.
    op.add_column("message", sa.Column("lease_owner", sa.String(length=64), nullable=True))
    op.add_column("message", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_message_received",
        "message",
        ["id"],
        sqlite_where=sa.text(_RECEIVED),
        postgresql_where=sa.text(_RECEIVED),
    )


def downgrade() -> None:
    op.drop_index("ix_message_received", table_name="message")
    # SQLite drops a column in place since 3.35 (no rebuild, which foreign keys would refuse).
    op.drop_column("message", "lease_until")
    op.drop_column("message", "lease_owner")
