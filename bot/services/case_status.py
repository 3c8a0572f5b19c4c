"""A case's status: pause and resume messages, close and reopen, transfer to another officer.

One table says which moves exist; any other move is a Conflict naming the current status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, update

from bot.core.clock import utcnow
from bot.models import Appointment, CheckIn, Message, Person, User
from bot.models.enums import (
    AppointmentStatus,
    CheckInStatus,
    Direction,
    MessageStatus,
    PersonStatus,
    Role,
)
from bot.scheduling.cadence import next_checkin_after
from bot.services import Conflict, InvalidInput, NotAllowed
from bot.services.persons import MAX_ID

Action = Literal["pause", "resume", "close", "reopen"]

# (action, current status) -> new status. Reopening goes back to "invited" for someone who
# never consented (or opted out) and to "active" for someone who had agreed.
_MOVES: dict[tuple[Action, PersonStatus], PersonStatus] = {
    ("pause", PersonStatus.active): PersonStatus.paused,
    ("resume", PersonStatus.paused): PersonStatus.active,
    ("close", PersonStatus.invited): PersonStatus.closed,
    ("close", PersonStatus.active): PersonStatus.closed,
    ("close", PersonStatus.paused): PersonStatus.closed,
    ("close", PersonStatus.opted_out): PersonStatus.closed,
    ("reopen", PersonStatus.closed): PersonStatus.active,
}

# Check-ins that would still lead to a message or count as missed.
_LIVE_CHECKINS = (CheckInStatus.scheduled, CheckInStatus.sending, CheckInStatus.sent)
_UPCOMING_APPOINTMENTS = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)
# Outbound messages of these kinds are scheduled talk; an officer's own words are not.
_SCHEDULED_KINDS = ("checkin", "nudge", "reminder")


def change_status(
    session: Session, person: Person, action: Action, *, now: datetime | None = None
) -> PersonStatus:
    """Apply `action` to the person; the caller commits. Returns the previous status."""
    now = now or utcnow()
    old = PersonStatus(person.status)
    new = _MOVES.get((action, old))
    if new is None:
        raise Conflict(f"cannot {action} a case whose status is {old}")
    if person.erased_at is not None:
        raise Conflict("this person's data has been erased")
    if action == "reopen" and person.consent_given is not True:
        new = PersonStatus.invited
    person.status = new
    match new:
        case PersonStatus.active:
            person.closed_at = None
            person.next_checkin_at = next_checkin_after(person, now)
        case PersonStatus.paused:
            person.next_checkin_at = None
        case PersonStatus.closed:
            person.closed_at = now
            person.officer_reply_until = None
            _stop_scheduled_messages(session, person, now)
        case PersonStatus.invited:
            person.closed_at = None
    person.updated_at = now
    session.add(person)
    session.flush()
    return old


def _stop_scheduled_messages(session: Session, person: Person, now: datetime) -> None:
    """Closing a case stops everything the scheduler would still send."""
    person.next_checkin_at = None
    session.exec(  # type: ignore[call-overload]
        update(CheckIn)
        .where(col(CheckIn.person_id) == person.id, col(CheckIn.status).in_(_LIVE_CHECKINS))
        .values(status=CheckInStatus.cancelled, nudge_at=None)
    )
    session.exec(  # type: ignore[call-overload]
        update(Appointment)
        .where(
            col(Appointment.person_id) == person.id,
            col(Appointment.status).in_(_UPCOMING_APPOINTMENTS),
        )
        .values(remind_at=None)
    )
    # Questions already in the outbox but not yet claimed by a dispatcher.
    session.exec(  # type: ignore[call-overload]
        update(Message)
        .where(
            col(Message.person_id) == person.id,
            col(Message.direction) == Direction.outbound,
            col(Message.status) == MessageStatus.queued,
            col(Message.kind).in_(_SCHEDULED_KINDS),
        )
        .values(status=MessageStatus.failed, error="case closed", next_attempt_at=None)
    )


def transfer(session: Session, person: Person, actor: User, officer_id: int) -> int | None:
    """Move the person to another officer's caseload; returns the previous officer's id."""
    if actor.role not in (Role.admin, Role.supervisor):
        raise NotAllowed("only a supervisor or an admin can transfer a case")
    target = session.get(User, officer_id) if 1 <= officer_id <= MAX_ID else None
    fits = (
        target is not None
        and target.is_active
        and target.role in (Role.officer, Role.supervisor)
        and (actor.role == Role.admin or target.id == actor.id or target.supervisor_id == actor.id)
    )
    if not fits:
        # Someone outside a supervisor's team is answered like no one at all.
        raise InvalidInput("officer_id", "no such active officer")
    if person.officer_id == officer_id:
        raise Conflict("the case is already on this officer's caseload")
    previous = person.officer_id
    person.officer_id = officer_id
    # A reply window belongs to the officer who wrote; the new officer has not.
    person.officer_reply_until = None
    person.updated_at = utcnow()
    session.add(person)
    session.flush()
    return previous
