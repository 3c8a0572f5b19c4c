"""What staff do on a case, each with its audit event in the same transaction: the API's
routes and the panel's forms both call these, so the rules and the trail are one.

The caller has found the person in its scope (404 otherwise) and commits afterwards;
nothing here sends anything (outbox rows go once the caller commits)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core import audit
from bot.core.settings import Settings
from bot.models import Appointment, CheckIn, Message, Note, Person, User
from bot.models.enums import PersonStatus
from bot.pipeline.appointment_notices import tell_person
from bot.pipeline.officer_messages import queue_officer_message
from bot.scheduling.local_time import end_of_quiet_hours
from bot.services import case_status
from bot.services import persons as person_service
from bot.services.appointments import create_appointment
from bot.services.notes import add_note


def _record(
    session: Session,
    actor: User,
    person: Person,
    action: str,
    entity_type: str,
    entity_id: int | None,
    detail: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        person_id=person.id,
        actor_user_id=actor.id,
        detail=detail,
    )


def record_case_read(session: Session, person: Person, actor: User) -> None:
    _record(session, actor, person, "person.read", "person", person.id)


def write_to_person(
    session: Session, settings: Settings, person: Person, actor: User, text: str, now: datetime
) -> Message:
    """The officer's words, queued on the person's channel (Conflict when none reaches)."""
    message = queue_officer_message(session, settings, person, actor, text, now=now)
    _record(
        session,
        actor,
        person,
        "message.officer.create",
        "message",
        message.id,
        {"channel": message.channel},
    )
    return message


def note_on_case(session: Session, person: Person, actor: User, body: str, now: datetime) -> Note:
    note = add_note(session, person=person, author=actor, body=body, now=now)
    _record(session, actor, person, "note.create", "note", note.id)
    return note


def schedule_checkin(
    session: Session, settings: Settings, person: Person, actor: User, requested: datetime
) -> CheckIn:
    """A one-off check-in; a time in the person's quiet hours moves to the morning."""
    checkin = person_service.schedule_checkin(
        session,
        person,
        due_at=end_of_quiet_hours(
            requested, person.timezone, settings.quiet_hours_start, settings.quiet_hours_end
        ),
        created_by_id=actor.id,
    )
    _record(
        session,
        actor,
        person,
        "checkin.create",
        "checkin",
        checkin.id,
        {"due_at": checkin.due_at.isoformat()},
    )
    return checkin


def book_appointment(
    session: Session,
    settings: Settings,
    person: Person,
    actor: User,
    *,
    starts_at: datetime,
    kind: str,
    place: str,
    now: datetime,
) -> Appointment:
    appointment = create_appointment(
        session,
        person,
        starts_at=starts_at,
        kind=kind,
        place=place,
        settings=settings,
        created_by_id=actor.id,
        now=now,
    )
    # Told at once, not first by the reminder 2 h before.
    tell_person(session, settings, person, appointment, "booked", now=now)
    _record(
        session,
        actor,
        person,
        "appointment.create",
        "appointment",
        appointment.id,
        {"starts_at": appointment.starts_at.isoformat(), "kind": appointment.kind},
    )
    return appointment


def move_case(
    session: Session, person: Person, actor: User, action: str, now: datetime
) -> PersonStatus:
    """Pause, resume, close or reopen by the transition table; returns the old status."""
    previous = case_status.change_status(session, person, action, now)
    _record(
        session,
        actor,
        person,
        f"person.{action}",
        "person",
        person.id,
        {"from": str(previous), "to": str(person.status)},
    )
    return previous


def transfer_case(session: Session, person: Person, actor: User, officer_id: int) -> int | None:
    previous = case_status.transfer(session, actor=actor, person=person, officer_id=officer_id)
    _record(
        session,
        actor,
        person,
        "person.transfer",
        "person",
        person.id,
        {"from_officer_id": previous, "to_officer_id": officer_id},
    )
    return previous
