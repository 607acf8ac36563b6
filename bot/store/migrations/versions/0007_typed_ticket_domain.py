"""The ticket domain typed: label columns checked, the reply target stored, outbox rows say
what they are and whom they are for

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as of this revision (a later value needs its own migration).
_TICKET = {
    "status": (
        [
            "new",
            "open",
            "in_progress",
            "waiting_on_user",
            "resolved",
            "closed",
            "redirected",
            "linked",
        ],
        None,
    ),
    "kind": (["incident", "request", "question", "status"], "NULL"),
    "severity": (["P1", "P2", "P3", "P4", "P5"], "NULL"),
    "level": (["N1", "N2", "N3"], "NULL"),
    "team": (
        [
            "workstation",
            "collaboration",
            "identity",
            "network",
            "printing",
            "applications",
            "hosting",
            "security",
        ],
        "NULL",
    ),
    "channel": (["email", "slack", "web"], None),
    "language": (["fr", "en"], "'fr'"),
}
_LANGUAGES = ["fr", "en"]
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
_STAFF = ("card", "sla_warning", "report", "burst")
# What the key prefixes meant before the columns existed, most specific first.
_FROM_KEY = [
    ("ack:%", "ack"),
    ("answer:%", "answer"),
    ("relay:%", "relay"),
    ("self_service:%", "self_service"),
    ("redirect:%", "redirect"),
    ("verdict:%", "verdict"),
    ("status:%", "status_update"),
    ("outage:%:known:%", "outage_known"),
    ("outage:%:resolved:%", "outage_done"),
    ("outage:%", "outage_broadcast"),
    ("card:%", "card"),
    ("sla:%", "sla_warning"),
    ("report:%", "report"),
    ("burst%", "burst"),
]


# Every statement below is built from the constants above only (no outside value): S608 is
# ruff being careful about f-strings.


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # Values no writer ever produced would fail the new checks: labels become "not set",
    # a language becomes French (the default everywhere).
    for column, (values, fallback) in _TICKET.items():
        if fallback is not None:
            clean = f"UPDATE ticket SET {column} = {fallback} WHERE {column} IS NOT NULL"  # noqa: S608
            op.execute(f"{clean} AND NOT {_in(column, values)}")
    requester = f"UPDATE requester SET language = 'fr' WHERE NOT {_in('language', _LANGUAGES)}"  # noqa: S608
    op.execute(requester)

    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("reply_to", sa.JSON(), nullable=True))
        for column, (values, _) in _TICKET.items():
            batch.create_check_constraint(f"ck_ticket_{column}", _in(column, values))
    with op.batch_alter_table("requester") as batch:
        batch.create_check_constraint("ck_requester_language", _in("language", _LANGUAGES))

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("audience", sa.String(length=16), nullable=True))
    cases = " ".join(f"WHEN key LIKE '{pattern}' THEN '{kind}'" for pattern, kind in _FROM_KEY)
    # Any other key counted as an answer to the requester before: it still does.
    op.execute(f"UPDATE outbox SET kind = CASE {cases} ELSE 'answer' END")  # noqa: S608
    op.execute(
        "UPDATE outbox SET audience = CASE "  # noqa: S608
        f"WHEN {_in('kind', _STAFF)} THEN 'staff' "
        "WHEN kind = 'outage_broadcast' THEN 'public' ELSE 'requester' END"
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=24), nullable=False)
        batch.alter_column("audience", existing_type=sa.String(length=16), nullable=False)
        batch.create_check_constraint("ck_outbox_kind", _in("kind", _KINDS))
        batch.create_check_constraint(
            "ck_outbox_audience", _in("audience", ["requester", "staff", "public"])
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_audience", type_="check")
        batch.drop_constraint("ck_outbox_kind", type_="check")
        batch.drop_column("audience")
        batch.drop_column("kind")
    with op.batch_alter_table("requester") as batch:
        batch.drop_constraint("ck_requester_language", type_="check")
    with op.batch_alter_table("ticket") as batch:
        for column in reversed(list(_TICKET)):
            batch.drop_constraint(f"ck_ticket_{column}", type_="check")
        batch.drop_column("reply_to")
