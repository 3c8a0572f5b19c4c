"""Appointments an officer sets, and when their reminders go out.

Reminders: one the day before (24 h, moved to the evening before if it would fall in
quiet hours) and one 2 h before. The 2 h reminder is sent even in quiet hours: it is
time-bound, and an early appointment is exactly when a person needs it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.clock import as_utc, utcnow
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
    _check_time_and_place(starts_at, place, kind, now)
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


def _check_time_and_place(
    starts_at: datetime | None, place: str | None, kind: str | None, now: datetime
) -> None:
    if kind is not None and kind not in APPOINTMENT_KINDS:
        raise InvalidInput("kind", f"must be one of: {', '.join(APPOINTMENT_KINDS)}")
    if starts_at is not None and starts_at <= now:
        raise InvalidInput("starts_at", "must be in the future")
    if starts_at is not None and starts_at - now > MAX_AHEAD:
        raise InvalidInput("starts_at", "must be within a year")
    if place is not None and revealing_words(place):
        raise InvalidInput(
            "place",
            "is shown on the person's phone; give the address or the office name without "
            f"words such as: {', '.join(revealing_words(place))}",
        )


def update_appointment(
    session: Session,
    person: Person,
    appointment: Appointment,
    *,
    settings: Settings,
    starts_at: datetime | None = None,
    place: str | None = None,
    kind: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Change an upcoming appointment; True when its time moved (reminders restart)."""
    now = now or utcnow()
    if appointment.status not in ACTIVE_STATUSES:
        raise Conflict(f"the appointment is {appointment.status}; it cannot be changed")
    _check_time_and_place(starts_at, place, kind, now)
    moved = starts_at is not None and starts_at != as_utc(appointment.starts_at)
    if starts_at is not None:
        appointment.starts_at = starts_at
    if place is not None:
        appointment.place = place.strip()
    if kind is not None:
        appointment.kind = kind
    if moved:
        # A new time is a new question: the person confirms again, reminders start over.
        appointment.status = AppointmentStatus.scheduled
        appointment.reminders_sent = 0
        appointment.response_reason = None
        appointment.remind_at = next_reminder(
            appointment.starts_at, person.timezone, settings, after=now
        )
    session.add(appointment)
    session.flush()
    return moved


# (current status, requested status): the only moves an officer makes by hand.
_OFFICER_MOVES = frozenset(
    {
        (AppointmentStatus.scheduled, AppointmentStatus.cancelled),
        (AppointmentStatus.confirmed, AppointmentStatus.cancelled),
        (AppointmentStatus.cant_make_it, AppointmentStatus.cancelled),
        (AppointmentStatus.scheduled, AppointmentStatus.attended),
        (AppointmentStatus.confirmed, AppointmentStatus.attended),
        (AppointmentStatus.cant_make_it, AppointmentStatus.attended),
        (AppointmentStatus.scheduled, AppointmentStatus.missed),
        (AppointmentStatus.confirmed, AppointmentStatus.missed),
        (AppointmentStatus.cant_make_it, AppointmentStatus.missed),
        # Marked by mistake: the officer corrects attended <-> missed.
        (AppointmentStatus.attended, AppointmentStatus.missed),
        (AppointmentStatus.missed, AppointmentStatus.attended),
    }
)


def set_appointment_status(
    session: Session,
    appointment: Appointment,
    new: AppointmentStatus,
    *,
    now: datetime | None = None,
) -> AppointmentStatus:
    """Cancel, or mark attended or missed; returns the previous status."""
    now = now or utcnow()
    old = AppointmentStatus(appointment.status)
    if (old, new) not in _OFFICER_MOVES:
        raise Conflict(f"cannot mark an appointment {new} when it is {old}")
    starts_at = as_utc(appointment.starts_at)
    assert starts_at is not None
    if new in (AppointmentStatus.attended, AppointmentStatus.missed) and starts_at > now:
        raise Conflict("the appointment has not started yet")
    appointment.status = new
    appointment.remind_at = None
    session.add(appointment)
    session.flush()
    return old
