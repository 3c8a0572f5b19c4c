"""Appointments the officer sets, with reminder timing in the database."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, required_timestamp_field, timestamp_field
from bot.models.enums import AppointmentStatus


class Appointment(SQLModel, table=True):
    # The reminder sweep reads "appointments still on whose next reminder is due".
    __table_args__ = (Index("ix_appointment_status_remind_at", "status", "remind_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    starts_at: datetime = required_timestamp_field(index=True)
    kind: str = Field(max_length=40)
    place: str = Field(default="", max_length=300)
    status: AppointmentStatus = Field(
        sa_type=String(16), default=AppointmentStatus.scheduled, max_length=16
    )
    remind_at: datetime | None = timestamp_field()
    reminders_sent: int = 0
    response_reason: str | None = Field(default=None, max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
