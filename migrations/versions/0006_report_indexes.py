"""programme report: the period columns each figure filters on

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    # By week and status in one index: PostgreSQL has no skip scan over (status, due_at).
    ("checkin", "ix_checkin_due_at_status", ["due_at", "status"]),
    ("escalation", "ix_escalation_created_at", ["created_at"]),
    ("referral", "ix_referral_created_at", ["created_at"]),
    ("person", "ix_person_consent_at", ["consent_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in INDEXES:
        op.drop_index(name, table_name=table)
