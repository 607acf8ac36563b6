"""Webhooks: the ticket log's read cursor, and the outbox's webhook rows (kind, audience)

Revision ID: 0012
Revises: 0011

`ticket.channel` keeps its check without ``webhook``: the channel is outbound only, no ticket
ever comes by it, so the database goes on refusing one that says so.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as of this revision (a later value needs its own migration).
_KINDS = [
    "ack",
    "answer",
    "relay",
    "self_service",
    "redirect",
    "verdict",
    "status_update",
    "outage_known",
    "outage_done",
    "card",
    "sla_warning",
    "report",
    "burst",
    "outage_broadcast",
]
_AUDIENCES = ["requester", "staff", "public"]


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _checks(kinds: Sequence[str], audiences: Sequence[str]) -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_kind", type_="check")
        batch.drop_constraint("ck_outbox_audience", type_="check")
        batch.create_check_constraint("ck_outbox_kind", _in("kind", kinds))
        batch.create_check_constraint("ck_outbox_audience", _in("audience", audiences))


def upgrade() -> None:
    op.create_table(
        "logcursor",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Webhooks announce what happens from this version on, not the history before it.
    op.execute(
        "INSERT INTO logcursor (name, last_id, updated_at) "
        "SELECT 'webhooks', COALESCE(MAX(id), 0), CURRENT_TIMESTAMP FROM ticketevent"
    )
    _checks([*_KINDS, "webhook"], [*_AUDIENCES, "integration"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind = 'webhook'")
    _checks(_KINDS, _AUDIENCES)
    op.drop_table("logcursor")
