"""What an officer should do first today: one query per section, each on indexed columns,
each capped, each with the total it was capped from (a window count in the same query).

The data of `GET /api/v1/today` and, later, of the panel's home page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_
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


def _scoped(query: Any, user: User) -> Any:
    clause = scope_clause(user)
    return query if clause is None else query.where(clause)


def _run(session: Session, query: Any, limit: int, row: Any) -> Section:
    rows = session.execute(query.add_columns(func.count().over()).limit(limit)).all()
    return Section(items=[row(*r[:-1]) for r in rows], total=rows[0][-1] if rows else 0)


def read_today(session: Session, user: User, now: datetime, limit: int = SECTION_LIMIT) -> Today:
    local_today = now.astimezone(zone(user.timezone)).date()
    day_start = datetime.combine(local_today, time.min, tzinfo=zone(user.timezone))
    window_end = day_start + timedelta(days=2)

    escalations = _scoped(
        select(Escalation, Person.display_name)
        .join(Person, col(Person.id) == col(Escalation.person_id))
        # By status, not by the queue index's leading column: an officer's few cases are
        # found from their persons, not by walking every open escalation in queue order.
        .where(col(Escalation.status) != EscalationStatus.resolved)
        .order_by(col(Escalation.severity_rank), col(Escalation.ack_deadline), col(Escalation.id)),
        user,
    )
    missed = _scoped(
        select(Person)
        .where(col(Person.status).in_(_FOLLOWED), col(Person.missed_checkins_in_row) > 0)
        .order_by(col(Person.missed_checkins_in_row).desc(), col(Person.id)),
        user,
    )
    appointments = _scoped(
        select(Appointment, Person.display_name)
        .join(Person, col(Person.id) == col(Appointment.person_id))
        .where(
            col(Appointment.starts_at) >= day_start,
            col(Appointment.starts_at) < window_end,
            col(Appointment.status).in_(_ON),
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id)),
        user,
    )
    referrals = _scoped(
        select(Referral, Person.display_name)
        .join(Person, col(Person.id) == col(Referral.person_id))
        .where(
            Referral.status == ReferralStatus.sent,
            col(Referral.updated_at) <= now - PARTNER_WAIT,
        )
        .order_by(col(Referral.updated_at), col(Referral.id)),
        user,
    )
    heard = func.coalesce(Person.last_inbound_at, Person.consent_at, Person.created_at)
    quiet = _scoped(
        select(Person)
        .where(
            Person.status == PersonStatus.active,
            or_(col(Person.last_inbound_at) <= now - QUIET_FOR, heard <= now - QUIET_FOR),
        )
        .order_by(heard, col(Person.id)),
        user,
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

    return Today(
        escalations=_run(session, escalations, limit, escalation),
        missed_checkins=_run(session, missed, limit, missed_row),
        appointments=_run(session, appointments, limit, appointment),
        referrals_waiting=_run(session, referrals, limit, referral),
        not_heard_from=_run(session, quiet, limit, quiet_row),
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
