"""Canned responses (FR/EN), and the log's (type, ticket) index for the queue's SLA filter

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cannedresponse",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body_fr", sa.String(length=10_000), nullable=False),
        sa.Column("body_en", sa.String(length=10_000), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("title"),
    )
    op.create_index("ix_ticket_event_type_ticket", "ticketevent", ["type", "ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_event_type_ticket", table_name="ticketevent")
    op.drop_table("cannedresponse")
