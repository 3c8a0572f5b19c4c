"""today page: people not heard from, by status and last inbound time

Revision ID: 0004C
Revises: 0004B
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004C"
down_revision: str | None = "0004B"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_status_last_inbound_at", ["status", "last_inbound_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_status_last_inbound_at")
