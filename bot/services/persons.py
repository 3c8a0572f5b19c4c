"""People on a caseload: enroll, scope to the staff member, page through, schedule check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session, col, select

from bot.core.clock import as_utc, utcnow
from bot.models import CheckIn, Person, User
from bot.models.enums import CheckInStatus, PersonStatus, Role, SupervisionLevel
from bot.services import Conflict, InvalidInput, NotAllowed

CASEWORKER_ROLES = frozenset({Role.admin, Role.supervisor, Role.officer})
MAX_CHECKIN_AHEAD = timedelta(days=365)
MAX_ID = 2**31 - 1  # ids are INTEGER columns; a larger id is simply unknown
NOT_ENROLLED = "the person has not finished enrollment/consented yet"
_PHONE_EXAMPLES = {"KZ": "+7 701 123 45 67 or 8 701 123 45 67"}


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_timezone(name: str) -> bool:
    if name not in _time_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _phone_example(region: str) -> str:
    if region in _PHONE_EXAMPLES:
        return _PHONE_EXAMPLES[region]
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "+<country code> <number>"
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"{international} or {national}"


def normalise_phone(raw: str, default_region: str) -> str:
    """A phone number as E.164; a local number is read in `default_region`."""
    invalid = InvalidInput(
        "phone", f"not a valid number; write it as {_phone_example(default_region)}"
    )
    try:
        number = phonenumbers.parse(raw.strip(), default_region)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- who sees whom ---------------------------------------------------------------------------


def scope_clause(user: User) -> ColumnElement[bool] | None:
    """The persons `user` may see, as a WHERE clause (None: everyone)."""
    match user.role:
        case Role.admin:
            return None
        case Role.supervisor:
            team = select(User.id).where(User.supervisor_id == user.id)
            return or_(col(Person.officer_id) == user.id, col(Person.officer_id).in_(team))
        case Role.officer:
            return col(Person.officer_id) == user.id
        case _:
            return false()


def get_person_for(
    session: Session, user: User, person_id: int, *, for_update: bool = False
) -> Person | None:
    """The person if it exists and is in `user`'s scope; None for both other cases."""
    if not 1 <= person_id <= MAX_ID:
        return None
    query = select(Person).where(Person.id == person_id)
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


@dataclass(frozen=True)
class CaseloadPage:
    items: list[Person]
    next_after: int | None


def list_caseload(
    session: Session,
    user: User,
    *,
    limit: int = 50,
    after: int | None = None,
    status: PersonStatus | None = None,
) -> CaseloadPage:
    """One page of the caller's caseload in id order; `next_after` continues it."""
    query = select(Person).order_by(col(Person.id)).limit(limit + 1)
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if after is not None:
        query = query.where(col(Person.id) > after)
    if status is not None:
        query = query.where(Person.status == status)
    rows = list(session.exec(query).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return CaseloadPage(items=rows, next_after=rows[-1].id)
    return CaseloadPage(items=rows, next_after=None)


# --- changes ---------------------------------------------------------------------------------


def _assignable_officer(session: Session, actor: User, officer_id: int | None) -> int:
    """Whose caseload a new person joins: the caller's unless admin/supervisor chose another."""
    assert actor.id is not None
    if officer_id is None or officer_id == actor.id:
        return actor.id
    if actor.role not in (Role.admin, Role.supervisor):
        raise NotAllowed("an officer can only enroll people into their own caseload")
    officer = session.get(User, officer_id) if 1 <= officer_id <= MAX_ID else None
    fits = (
        officer is not None
        and officer.is_active
        and officer.role in CASEWORKER_ROLES
        and (actor.role == Role.admin or officer.supervisor_id == actor.id)
    )
    if not fits:
        # A supervisor asking for someone outside the team hears the same as for no one.
        raise InvalidInput("officer_id", "no such officer")
    return officer_id


def create_person(
    session: Session,
    *,
    actor: User,
    display_name: str,
    language: str = "ru",
    region: str | None = None,
    timezone: str,
    supervision_level: SupervisionLevel = SupervisionLevel.medium,
    phone_e164: str | None = None,
    officer_id: int | None = None,
) -> Person:
    """Add a person in status `invited` to a caseload and flush it; the caller commits."""
    if not is_known_timezone(timezone):
        raise InvalidInput("timezone", "unknown time zone")
    person = Person(
        display_name=display_name,
        language=language,
        region=region,
        timezone=timezone,
        supervision_level=supervision_level,
        phone_e164=phone_e164,
        officer_id=_assignable_officer(session, actor, officer_id),
        status=PersonStatus.invited,
    )
    session.add(person)
    session.flush()
    return person


def schedule_checkin(
    session: Session,
    person: Person,
    *,
    due_at: datetime | None,
    created_by_id: int | None,
    now: datetime | None = None,
) -> CheckIn:
    """Schedule a one-off check-in (sent by the due check-in sweep); the caller commits."""
    now = now or utcnow()
    if due_at is not None and due_at.tzinfo is None:
        raise InvalidInput("due_at", "give a time zone, e.g. 2026-03-01T09:00:00+05:00")
    due = as_utc(due_at) or now
    if due > now + MAX_CHECKIN_AHEAD:
        raise InvalidInput("due_at", "must be at most one year from now")
    if person.status != PersonStatus.active or person.consent_given is not True:
        raise Conflict(NOT_ENROLLED)
    checkin = CheckIn(
        person_id=person.id,  # type: ignore[arg-type]
        status=CheckInStatus.scheduled,
        due_at=due,
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(checkin)
    session.flush()
    return checkin
