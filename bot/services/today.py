"""What an officer should do first today: one query per section, each on indexed columns,
each capped, each with the total it was capped from (counted in a statement of its own).

The data of `GET /api/v1/today` and, later, of the panel's home page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core import audit
from bot.models import Appointment, Escalation, Person, Referral, User
from bot.models.enums import AppointmentStatus, EscalationStatus, PersonStatus, ReferralStatus
from bot.scheduling.local_time import zone
from bot.services.persons import scope_clause

SECTION_LIMIT = 50
PARTNER_WAIT = timedelta(days=3)
QUIET_FOR = timedelta(days=14)
_ON = (AppointmentStatus.scheduled, AppointmentStatus.confirmed, AppointmentStatus.cant_make_it)
_FOLLOWED = (PersonStatus.active, PersonStatus.paused)


@dataclass
class Section:
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


@dataclass
class Today:
    escalations: Section
    missed_checkins: Section
    appointments: Section
    referrals_waiting: Section
    not_heard_from: Section


def _section(
    session: Session,
    user: User,
    entity: Any,
    where: list[Any],
    order_by: list[Any],
    limit: int,
    row: Any,
) -> Section:
    """The first `limit` rows in order, and how many there are in all.

    Reading the first rows by an index in the section's order and counting apart keeps an
    admin's page (every case in the country) from sorting every matching row to show fifty.
    """
    clause = scope_clause(user)
    scope = [] if clause is None else [clause]
    query: Any
    if entity is Person:
        query = select(Person)
    else:
        query = select(entity, Person.display_name).join(
            Person, col(Person.id) == col(entity.person_id)
        )
    rows = session.execute(query.where(*where, *scope).order_by(*order_by).limit(limit)).all()
    items = [row(*r) for r in rows]
    count = select(func.count()).select_from(entity).where(*where)
    if scope:
        if entity is not Person:
            count = count.join(Person, col(Person.id) == col(entity.person_id))
        count = count.where(*scope)
    # Read apart from the rows, so a write in between could make it smaller than they are.
    return Section(items=items, total=max(len(rows), session.scalar(count) or 0))


def read_today(session: Session, user: User, now: datetime, limit: int = SECTION_LIMIT) -> Today:
    local_today = now.astimezone(zone(user.timezone)).date()
    day_start = datetime.combine(local_today, time.min, tzinfo=zone(user.timezone))
    window_end = day_start + timedelta(days=2)
    heard = func.coalesce(Person.last_inbound_at, Person.consent_at, Person.created_at)
    everyone = scope_clause(user) is None
    # Which index a section goes by is said in the query, not left to statistics (SQLite
    # has none unless analyzed): an admin's sections by the index in their order, an
    # officer's few cases from their persons. `|| ''` keeps an index that leads with the
    # status out of a query that should not walk it.
    status = col(Person.status)
    unindexed_status = status.concat("")
    unresolved = (
        # An admin's open escalations by the queue index, in its order; an officer's few
        # cases are found from their persons instead (by the status, which the queue index
        # does not lead with), not by walking every open escalation in queue order.
        col(Escalation.is_resolved).is_(False)
        if everyone
        else col(Escalation.status) != EscalationStatus.resolved
    )

    def escalation(e: Escalation, name: str) -> dict[str, Any]:
        deadline = e.ack_deadline
        return {
            "id": e.id,
            "person_id": e.person_id,
            "person_display_name": name,
            "reason": e.reason,
            "severity": e.severity,
            "status": e.status,
            "ack_deadline": deadline,
            "seconds_left": int((deadline - now).total_seconds()) if deadline else None,
        }

    def missed_row(p: Person) -> dict[str, Any]:
        return {
            "person_id": p.id,
            "person_display_name": p.display_name,
            "missed_in_row": p.missed_checkins_in_row,
            "last_heard_at": p.last_inbound_at,
        }

    def appointment(a: Appointment, name: str) -> dict[str, Any]:
        return {
            "id": a.id,
            "person_id": a.person_id,
            "person_display_name": name,
            "starts_at": a.starts_at,
            "kind": a.kind,
            "status": a.status,
            "day": "today" if a.starts_at < day_start + timedelta(days=1) else "tomorrow",
        }

    def referral(r: Referral, name: str) -> dict[str, Any]:
        return {
            "id": r.id,
            "person_id": r.person_id,
            "person_display_name": name,
            "kind": r.kind,
            "organisation_id": r.organisation_id,
            "waiting_since": r.updated_at,
        }

    def quiet_row(p: Person) -> dict[str, Any]:
        return {
            "person_id": p.id,
            "person_display_name": p.display_name,
            "last_heard_at": p.last_inbound_at,
        }

    def section(entity: Any, where: list[Any], order_by: list[Any], row: Any) -> Section:
        return _section(session, user, entity, where, order_by, limit, row)

    return Today(
        escalations=section(
            Escalation,
            [unresolved],
            [col(Escalation.severity_rank), col(Escalation.ack_deadline), col(Escalation.id)],
            escalation,
        ),
        missed_checkins=section(
            Person,
            [unindexed_status.in_(_FOLLOWED), col(Person.missed_checkins_in_row) > 0],
            [col(Person.missed_checkins_in_row).desc(), col(Person.id)],
            missed_row,
        ),
        appointments=section(
            Appointment,
            [
                col(Appointment.starts_at) >= day_start,
                col(Appointment.starts_at) < window_end,
                col(Appointment.status).in_(_ON),
            ],
            [col(Appointment.starts_at), col(Appointment.id)],
            appointment,
        ),
        referrals_waiting=section(
            Referral,
            [
                Referral.status == ReferralStatus.sent,
                col(Referral.updated_at) <= now - PARTNER_WAIT,
            ],
            [col(Referral.updated_at), col(Referral.id)],
            referral,
        ),
        not_heard_from=section(
            Person,
            [
                (status if everyone else unindexed_status) == PersonStatus.active,
                heard <= now - QUIET_FOR,
            ],
            [heard, col(Person.id)],
            quiet_row,
        ),
    )


def record_read(session: Session, user: User, today: Today) -> None:
    """Audit who saw which people on their Today page (the API's and the panel's)."""
    shown = sorted({row["person_id"] for section in vars(today).values() for row in section.items})
    audit.record(
        session,
        action="today.read",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
        detail={"person_ids": shown},
    )
