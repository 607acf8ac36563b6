"""Console sessions (the SHA-256 of the cookie's id, the account, the CSRF token, 8 h)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consolesession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_consolesession_account_id", "consolesession", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_consolesession_account_id", table_name="consolesession")
    op.drop_table("consolesession")
