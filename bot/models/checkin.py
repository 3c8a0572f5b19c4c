"""Scheduled check-ins and their answers."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Column, Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import CheckInStatus


class CheckIn(SQLModel, table=True):
    __tablename__ = "checkin"
    __table_args__ = (
        Index("ix_checkin_status_due_at", "status", "due_at"),
        Index("ix_checkin_status_reply_deadline", "status", "reply_deadline"),
        Index("ix_checkin_person_id_due_at", "person_id", "due_at"),
        Index("ix_checkin_status_nudge_at", "status", "nudge_at"),
        # The programme report: check-ins by week and status (PostgreSQL has no skip scan
        # over the (status, due_at) index above).
        Index("ix_checkin_due_at_status", "due_at", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")  # indexed with due_at below
    status: CheckInStatus = Field(
        sa_type=String(16), default=CheckInStatus.scheduled, max_length=16
    )
    due_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()
    reply_deadline: datetime | None = timestamp_field()
    # One reminder before the check-in counts as missed; cleared once sent.
    nudge_at: datetime | None = timestamp_field()
    nudged_at: datetime | None = timestamp_field()
    answered_at: datetime | None = timestamp_field()
    mood: int | None = Field(default=None, ge=1, le=5)
    need: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()


class CheckInCreate(SQLModel):
    due_at: datetime | None = None


class CheckInPublic(SQLModel):
    id: int
    person_id: int
    status: CheckInStatus
    due_at: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    mood: int | None
    need: str | None
