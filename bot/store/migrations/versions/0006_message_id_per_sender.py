"""A Message-ID is unique per sender, not alone (a message reusing another sender's id is kept)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode rebuilds the table on SQLite (it cannot drop a constraint in place) and is
    # plain ALTER TABLE on PostgreSQL. The old constraint is stricter than the new one, so
    # existing rows always satisfy it.
    with op.batch_alter_table("message") as batch:
        batch.drop_constraint("uq_message_direction_message_id", type_="unique")
        batch.create_unique_constraint(
            "uq_message_direction_message_id_sender", ["direction", "message_id", "sender"]
        )
        batch.create_index("ix_message_message_id", ["message_id"], unique=False)


def downgrade() -> None:
    # Fails if two senders' messages now share a Message-ID: remove one of them first.
    with op.batch_alter_table("message") as batch:
        batch.drop_index("ix_message_message_id")
        batch.drop_constraint("uq_message_direction_message_id_sender", type_="unique")
        batch.create_unique_constraint(
            "uq_message_direction_message_id", ["direction", "message_id"]
        )
