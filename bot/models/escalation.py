"""Things an officer must look at: crisis words, low mood, missed check-ins, unreachable."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import EscalationOutcome, EscalationStatus, Severity


class Escalation(SQLModel, table=True):
    __table_args__ = (
        # The deadline sweep: unacknowledged escalations whose deadline has passed.
        Index("ix_escalation_status_ack_deadline", "status", "ack_deadline"),
        # The officer's queue in its default order (keyset pagination over these columns).
        Index("ix_escalation_queue", "is_resolved", "severity_rank", "ack_deadline", "id"),
        # The digest sweep: medium and low escalations no officer alert has covered yet.
        Index("ix_escalation_officer_alerted_at_severity", "officer_alerted_at", "severity"),
        # The programme report: escalations opened in a period.
        Index("ix_escalation_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    reason: str = Field(max_length=40)
    severity: Severity = Field(sa_type=String(16), max_length=16)
    status: EscalationStatus = Field(
        sa_type=String(16), default=EscalationStatus.open, max_length=16
    )
    detail: str = Field(default="", max_length=500)
    ack_deadline: datetime | None = timestamp_field()
    acknowledged_at: datetime | None = timestamp_field()
    acknowledged_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = timestamp_field()
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolution_note: str | None = Field(default=None, max_length=1000)
    outcome: EscalationOutcome | None = Field(default=None, sa_type=String(32), max_length=32)
    # Denormalised for the queue's order and its keyset cursor (see the index above).
    severity_rank: int = Field(default=3)
    is_resolved: bool = Field(default=False)
    # The message that caused it, when one did (no foreign key: message rows point here).
    message_id: int | None = Field(default=None)
    # Staff alerts: when the officer's alert (at once, or in the day's digest) was queued,
    # when the deadline passed and the supervisor (or every admin) was alerted, and when
    # every alert for it failed on every channel (shown in the queue).
    officer_alerted_at: datetime | None = timestamp_field()
    overdue_at: datetime | None = timestamp_field()
    supervisor_alerted_at: datetime | None = timestamp_field()
    alert_failed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
