"""A duplicate ticket remembers the ticket it was merged into

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN with its REFERENCES inline: rebuilding the ticket table, as a
        # batch would, fails once messages point to tickets (foreign keys are on).
        op.execute("ALTER TABLE ticket ADD COLUMN merged_into_id INTEGER REFERENCES ticket (id)")
    else:
        op.add_column("ticket", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_ticket_merged_into_id_ticket", "ticket", "ticket", ["merged_into_id"], ["id"]
        )
    op.create_index("ix_ticket_merged_into_id", "ticket", ["merged_into_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_merged_into_id", table_name="ticket")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("ticket") as batch:  # rebuilt: the inline REFERENCES goes
            batch.drop_column("merged_into_id")
    else:
        op.drop_constraint("fk_ticket_merged_into_id_ticket", "ticket", type_="foreignkey")
        op.drop_column("ticket", "merged_into_id")
