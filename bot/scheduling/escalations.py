"""The two staff-alert sweeps: deadlines that passed, and each officer's daily digest.

Both take `now`, so tests drive them with a controllable clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.alerts.queue import alert_supervisor, queue_digest
from bot.core import audit
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Escalation, Person, User
from bot.models.enums import EscalationStatus, Severity
from bot.scheduling.claim import lock_batch
from bot.scheduling.local_time import zone
from bot.scheduling.sweep import SweepSummary, sweep_in_batches

DIGEST_SEVERITIES = (Severity.medium, Severity.low)
_WAITING = (
    col(Escalation.officer_alerted_at).is_(None),
    col(Escalation.severity).in_(DIGEST_SEVERITIES),
    col(Escalation.is_resolved).is_(False),
)


def mark_overdue_escalations(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """Open escalations nobody acknowledged by their deadline become overdue, and the
    officer's supervisor (or every admin) is alerted."""

    def query():  # type: ignore[no-untyped-def]
        return (
            select(Escalation)
            .where(
                Escalation.status == EscalationStatus.open,
                col(Escalation.ack_deadline) <= now,
            )
            .order_by(col(Escalation.ack_deadline), col(Escalation.id))
        )

    def handle(session: Session, escalation: Escalation) -> bool:
        escalation.status = EscalationStatus.overdue
        escalation.overdue_at = now
        session.add(escalation)
        alerted = alert_supervisor(session, settings, escalation, now)
        audit.record(
            session,
            action="escalation.overdue",
            entity_type="escalation",
            entity_id=escalation.id,
            person_id=escalation.person_id,
            actor_kind="system",
            detail={"supervisor_alerted": alerted},
        )
        return True

    return sweep_in_batches(
        engine, SweepSummary("overdue_escalations"), query, handle, batch=settings.sweep_batch_size
    )


def _waiting(officer_id: int | None = None):  # type: ignore[no-untyped-def]
    """Medium and low escalations not yet in any officer alert, of one officer or all."""
    query = (
        select(Escalation)
        .join(Person, col(Person.id) == col(Escalation.person_id))
        .where(*_WAITING)
        .order_by(col(Escalation.id))
    )
    if officer_id is not None:
        query = query.where(Person.officer_id == officer_id)
    return query


def digest_due(user: User, settings: Settings, now: datetime) -> bool:
    """At or past the user's digest hour in their zone, and none sent yet that local day."""
    tz = zone(user.timezone, settings.default_timezone)
    local = now.astimezone(tz)
    hour = user.digest_hour if user.digest_hour is not None else settings.staff_digest_hour
    if local.hour < hour:
        return False
    sent = user.digest_sent_at
    return sent is None or sent.astimezone(tz).date() < local.date()


def send_staff_digests(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """One digest a day per officer with medium or low escalations waiting."""
    summary = SweepSummary("staff_digests")
    with session_scope(engine) as session:
        officer_ids = session.exec(
            select(Person.officer_id)
            .join(Escalation, col(Escalation.person_id) == col(Person.id))
            .where(*_WAITING, col(Person.officer_id).is_not(None))
            .distinct()
        ).all()
    for officer_id in officer_ids:
        with session_scope(engine) as session:
            user = session.exec(select(User).where(User.id == officer_id).with_for_update()).first()
            if user is None or not user.is_active or not digest_due(user, settings, now):
                summary.skipped += 1
                continue
            escalations = lock_batch(session, _waiting(user.id))
            if escalations:
                queue_digest(session, settings, user, escalations, now)
                summary.processed += 1
    return summary
