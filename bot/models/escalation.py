"""Things an officer must look at: crisis words, low mood, missed check-ins, unreachable."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import EscalationStatus, Severity


class Escalation(SQLModel, table=True):
    __table_args__ = (Index("ix_escalation_status_ack_deadline", "status", "ack_deadline"),)

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
    created_at: datetime = created_at_field()
