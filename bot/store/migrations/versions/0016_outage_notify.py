"""PostgreSQL tells every worker when an outage is declared or changed

Revision ID: 0016
Revises: 0015

The outage watcher runs in one worker (the leader); a planned interruption may be declared
through any worker's console or API. A statement-level trigger notifies the channel
`guichet_outages` (delivered at commit) and every worker wakes its watcher
(`bot.store.wakeups`). SQLite is one process: the writer wakes the watcher itself, nothing to do.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION guichet_outage_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('guichet_outages', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outage_changed AFTER INSERT OR UPDATE ON outage "
        "FOR EACH STATEMENT EXECUTE FUNCTION guichet_outage_changed()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outage_changed ON outage")
    op.execute("DROP FUNCTION guichet_outage_changed()")
