"""inbound events: on PostgreSQL, every statement that stores some notifies the workers

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The channel bot/core/wakeups.py listens on. A statement-level trigger: one notification
# per stored group (PostgreSQL folds a transaction's equal notifications into one), sent
# at its commit, and for every writer of the table (web processes, CLI, tests) without a
# round trip of its own.
CHANNEL = "jolserik_inbound"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has one process with a processor: stores wake it in-process
    op.execute(
        f"""
        CREATE FUNCTION inbound_event_stored() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER inbound_event_stored AFTER INSERT ON inbound_event"
        " FOR EACH STATEMENT EXECUTE FUNCTION inbound_event_stored()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER inbound_event_stored ON inbound_event")
    op.execute("DROP FUNCTION inbound_event_stored()")
