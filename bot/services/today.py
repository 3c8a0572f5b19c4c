"""What an officer should do first: one query per section, each capped, with the total.

Every section is scoped like the caseload (`scope_clause`) and counted in the same query
(a window count), so the page costs five queries however large the caseload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.models import Appointment, Escalation, Person, Referral, User
from bot.models.enums import PersonStatus, ReferralStatus
from bot.services.appointments import ACTIVE_STATUSES
from bot.services.persons import is_known_timezone, scope_clause

SECTION_LIMIT = 50
PARTNER_WAIT = timedelta(days=3)
SILENCE = timedelta(days=14)
_FOLLOWED = (PersonStatus.active, PersonStatus.paused)


@dataclass(frozen=True)
class Section:
    rows: list[Any]  # (row, person) pairs
    total: int


@dataclass(frozen=True)
class Today:
    now: datetime
    escalations: Section
    missed_checkins: Section
    appointments: Section
    waiting_referrals: Section
    not_heard_from: Section


def _section(session: Session, query: Any, user: User, limit: int) -> Section:
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    rows = session.exec(query.limit(limit)).all()  # type: ignore[call-overload]
    total = rows[0][-1] if rows else 0
    return Section(rows=[tuple(row[:-1]) for row in rows], total=int(total))


def _local_days(user: User, now: datetime) -> tuple[datetime, datetime]:
    """Start of today and of the day after tomorrow, in the officer's zone, as UTC."""
    zone = ZoneInfo(user.timezone if user.timezone and is_known_timezone(user.timezone) else "UTC")
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=2), time(0), tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def read_today(
    session: Session, user: User, *, now: datetime | None = None, limit: int = SECTION_LIMIT
) -> Today:
    now = now or utcnow()
    total = func.count().over()
    escalations = (
        select(Escalation, Person, total)
        .join(Person, col(Person.id) == col(Escalation.person_id))
        .where(col(Escalation.is_resolved).is_(False))
        .order_by(col(Escalation.severity_rank), col(Escalation.ack_deadline), col(Escalation.id))
    )
    missed = (
        select(Person, total)
        .where(col(Person.status).in_(_FOLLOWED), col(Person.missed_checkins_in_row) > 0)
        .order_by(col(Person.missed_checkins_in_row).desc(), col(Person.id))
    )
    start, end = _local_days(user, now)
    appointments = (
        select(Appointment, Person, total)
        .join(Person, col(Person.id) == col(Appointment.person_id))
        .where(
            col(Appointment.status).in_(ACTIVE_STATUSES),
            col(Appointment.starts_at) >= start,
            col(Appointment.starts_at) < end,
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    referrals = (
        select(Referral, Person, total)
        .join(Person, col(Person.id) == col(Referral.person_id))
        .where(
            col(Referral.status) == ReferralStatus.sent,
            col(Referral.created_at) < now - PARTNER_WAIT,
        )
        .order_by(col(Referral.created_at), col(Referral.id))
    )
    cutoff = now - SILENCE
    silent = (
        select(Person, total)
        .where(
            col(Person.status) == PersonStatus.active,
            or_(
                col(Person.last_inbound_at) < cutoff,
                # Never wrote at all since joining more than 14 days ago.
                (col(Person.last_inbound_at).is_(None)) & (col(Person.created_at) < cutoff),
            ),
        )
        .order_by(col(Person.last_inbound_at).asc().nulls_first(), col(Person.id))
    )
    return Today(
        now=now,
        escalations=_section(session, escalations, user, limit),
        missed_checkins=_section(session, missed, user, limit),
        appointments=_section(session, appointments, user, limit),
        waiting_referrals=_section(session, referrals, user, limit),
        not_heard_from=_section(session, silent, user, limit),
    )
