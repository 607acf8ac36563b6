"""Accounts (console and API users) and their API tokens

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum("agent", "lead", "admin", native_enum=False, length=8, create_constraint=False),
            nullable=False,
        ),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column(
            "language",
            sa.Enum("fr", "en", native_enum=False, length=8, create_constraint=False),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('agent', 'lead', 'admin')", name="ck_account_role"),
        sa.CheckConstraint("language IN ('fr', 'en')", name="ck_account_language"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_apitoken_account_id", "apitoken", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_apitoken_account_id", table_name="apitoken")
    op.drop_table("apitoken")
    op.drop_table("account")
