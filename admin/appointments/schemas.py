"""What the appointments API accepts and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints, model_validator
from sqlmodel import SQLModel

from admin.persons.schemas import AwareDatetimeIn, UtcDatetime, _Input
from admin.validation import LineChars
from bot.models.enums import AppointmentStatus

AppointmentKind = Literal[
    "meeting", "documents", "job_interview", "counselling", "medical", "other"
]
Place = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), LineChars
]


class AppointmentCreate(_Input):
    starts_at: AwareDatetimeIn
    kind: AppointmentKind
    place: Place


class AppointmentUpdate(_Input):
    starts_at: AwareDatetimeIn | None = None
    kind: AppointmentKind | None = None
    place: Place | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> AppointmentUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be empty")
        return self


class AppointmentPublic(SQLModel):
    id: int
    person_id: int
    starts_at: UtcDatetime
    kind: str
    place: str
    status: AppointmentStatus
    remind_at: UtcDatetime | None
    reminders_sent: int
    response_reason: str | None
    created_at: UtcDatetime
