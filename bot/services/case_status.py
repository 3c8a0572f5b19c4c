"""A case's status as the officer moves it: pause and resume messages, close (every
scheduled message stops) and reopen, and transfer to another officer.

One explicit table of moves; anything else is a Conflict that names the current status.
A person may also pause and resume themselves in the chat (bot/pipeline/effect_records.py);
an officer's pause is the same status, so either side may resume it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

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
from bot.services.erasure import ensure_not_erased
from bot.services.persons import CASEWORKER_ROLES, MAX_ID

# (action, current status) -> new status. Every other pair is refused.
TRANSITIONS: dict[tuple[str, PersonStatus], PersonStatus] = {
    ("pause", PersonStatus.active): PersonStatus.paused,
    ("resume", PersonStatus.paused): PersonStatus.active,
    ("close", PersonStatus.invited): PersonStatus.closed,
    ("close", PersonStatus.active): PersonStatus.closed,
    ("close", PersonStatus.paused): PersonStatus.closed,
    ("close", PersonStatus.opted_out): PersonStatus.closed,
    # A reopened case is active again if the person had consented, else still invited.
    ("reopen", PersonStatus.closed): PersonStatus.active,
}
ACTIONS = ("pause", "resume", "close", "reopen")
_OPEN_CHECKINS = (CheckInStatus.scheduled, CheckInStatus.sending, CheckInStatus.sent)
_UPCOMING = (AppointmentStatus.scheduled, AppointmentStatus.confirmed)


def next_status(action: str, current: PersonStatus) -> PersonStatus:
    new = TRANSITIONS.get((action, PersonStatus(current)))
    if new is None:
        raise Conflict(f"cannot {action} a case that is {current}")
    return new


def change_status(session: Session, person: Person, action: str, now: datetime) -> PersonStatus:
    """Apply `action` to the case; returns the previous status. Adds and flushes rows only."""
    ensure_not_erased(person)
    previous = PersonStatus(person.status)
    new = next_status(action, previous)
    if action == "reopen" and not person.consent_given:
        new = PersonStatus.invited
    person.status = new
    person.updated_at = now
    match action:
        case "close":
            person.closed_at = now
            person.next_checkin_at = None
            person.officer_reply_until = None
            _stop_scheduled(session, person, now)
        case "reopen":
            person.closed_at = None
            if new == PersonStatus.active:
                person.next_checkin_at = next_checkin_after(person, now)
        case "resume":
            if person.next_checkin_at is None:
                person.next_checkin_at = next_checkin_after(person, now)
    session.add(person)
    session.flush()
    return previous


def _stop_scheduled(session: Session, person: Person, now: datetime) -> None:
    """Nothing more goes out to a closed case: open check-ins are cancelled, reminders
    cleared, and messages still waiting in the outbox fail (they are kept, not sent)."""
    session.execute(
        update(CheckIn)
        .where(col(CheckIn.person_id) == person.id, col(CheckIn.status).in_(_OPEN_CHECKINS))
        .values(status=CheckInStatus.cancelled)
    )
    session.execute(
        update(Appointment)
        .where(col(Appointment.person_id) == person.id, col(Appointment.status).in_(_UPCOMING))
        .values(remind_at=None)
    )
    session.execute(
        update(Message)
        .where(
            col(Message.person_id) == person.id,
            col(Message.direction) == Direction.outbound,
            col(Message.status) == MessageStatus.queued,
        )
        .values(status=MessageStatus.failed, error="not sent: the case was closed")
    )


def transfer(session: Session, *, actor: User, person: Person, officer_id: int) -> int | None:
    """Move the case to another officer; returns the previous officer's id.

    Admins may transfer to any active officer or supervisor; a supervisor only within their
    team (their officers, or themselves)."""
    ensure_not_erased(person)
    if actor.role not in (Role.admin, Role.supervisor):
        raise NotAllowed("only a supervisor or an admin can transfer a case")
    target = session.get(User, officer_id) if 1 <= officer_id <= MAX_ID else None
    if (
        target is None
        or not target.is_active
        or target.role not in CASEWORKER_ROLES
        or target.role == Role.admin
    ):
        raise InvalidInput("officer_id", "not an active officer or supervisor")
    if (
        actor.role == Role.supervisor
        and officer_id != actor.id
        and target.supervisor_id != actor.id
    ):
        raise InvalidInput("officer_id", "not an officer of your team")
    if person.officer_id == officer_id:
        raise Conflict("the case is already with that officer")
    previous = person.officer_id
    person.officer_id = officer_id
    session.add(person)
    session.flush()
    return previous


def transfer_targets(session: Session, actor: User, *, limit: int = 500) -> list[User]:
    """Whom `actor` may hand a case to, by the rules of `transfer`, by name."""
    if actor.role not in (Role.admin, Role.supervisor):
        return []
    query = (
        select(User)
        .where(
            col(User.is_active).is_(True),
            col(User.role).in_([Role.officer, Role.supervisor]),
        )
        .order_by(col(User.full_name), col(User.id))
        .limit(limit)
    )
    if actor.role == Role.supervisor:
        query = query.where(or_(col(User.id) == actor.id, col(User.supervisor_id) == actor.id))
    return list(session.exec(query).all())


def allowed_actions(status: PersonStatus) -> list[str]:
    """The moves the transition table allows from `status`, in ACTIONS order."""
    return [action for action in ACTIONS if (action, status) in TRANSITIONS]
