"""Appointments an officer sets, and when their reminders go out.

Reminders: one the day before (24 h, moved to the evening before if it would fall in
quiet hours) and one 2 h before. The 2 h reminder is sent even in quiet hours: it is
time-bound, and an early appointment is exactly when a person needs it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.models import Appointment, Person
from bot.models.enums import AppointmentStatus, PersonStatus
from bot.scheduling.local_time import before_quiet_hours
from bot.services import Conflict, InvalidInput
from flows.wording import revealing_words

# A closed set: the reminder names the kind in the person's language, and a free-text
# kind typed by an officer could put "probation" on a lock screen.
APPOINTMENT_KINDS = ("meeting", "documents", "job_interview", "counselling", "medical", "other")
REMINDER_HOURS = (24, 2)
MAX_AHEAD = timedelta(days=366)
ACTIVE_STATUSES = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


def reminder_times(starts_at: datetime, zone: str | None, settings: Settings) -> list[datetime]:
    day_before = before_quiet_hours(
        starts_at - timedelta(hours=24),
        zone,
        settings.quiet_hours_start,
        settings.quiet_hours_end,
    )
    return [day_before, starts_at - timedelta(hours=2)]


def next_reminder(
    starts_at: datetime, zone: str | None, settings: Settings, *, after: datetime
) -> datetime | None:
    """The first reminder time later than `after`, or None when none is left."""
    for moment in reminder_times(starts_at, zone, settings):
        if moment > after:
            return moment
    return None


def hours_before(starts_at: datetime, now: datetime) -> int:
    """Which reminder is going out: the day-before one or the 2-hour one."""
    return 24 if starts_at - now > timedelta(hours=6) else 2


def create_appointment(
    session: Session,
    person: Person,
    *,
    starts_at: datetime,
    kind: str,
    place: str,
    settings: Settings,
    created_by_id: int | None,
    now: datetime | None = None,
) -> Appointment:
    now = now or utcnow()
    if person.status in (PersonStatus.closed, PersonStatus.opted_out):
        raise Conflict(f"the person's record is {person.status}; no appointment can be set")
    if kind not in APPOINTMENT_KINDS:
        raise InvalidInput("kind", f"must be one of: {', '.join(APPOINTMENT_KINDS)}")
    if starts_at <= now:
        raise InvalidInput("starts_at", "must be in the future")
    if starts_at - now > MAX_AHEAD:
        raise InvalidInput("starts_at", "must be within a year")
    if revealing_words(place):
        # The reminder shows the place on the person's lock screen.
        raise InvalidInput(
            "place",
            "is shown on the person's phone; give the address or the office name without "
            f"words such as: {', '.join(revealing_words(place))}",
        )
    appointment = Appointment(
        person_id=person.id,  # type: ignore[arg-type]
        starts_at=starts_at,
        kind=kind,
        place=place.strip(),
        remind_at=next_reminder(starts_at, person.timezone, settings, after=now),
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(appointment)
    session.flush()
    return appointment
