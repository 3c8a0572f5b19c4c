"""today page: people in the order its sections list them (not heard from, missed check-ins)

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
    op.create_index(
        "ix_person_status_heard_at",
        "person",
        ["status", sa.text("coalesce(last_inbound_at, consent_at, created_at)"), "id"],
        unique=False,
    )
    op.create_index(
        "ix_person_missed_checkins",
        "person",
        [sa.column("missed_checkins_in_row").desc(), "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_person_missed_checkins", table_name="person")
    op.drop_index("ix_person_status_heard_at", table_name="person")
