"""Opening escalations for the officer (a service: it only adds rows to the session).

The acknowledgement deadline comes from settings (`escalation_deadline(severity)`), and
a high or critical escalation queues its officer's alert in the same transaction, so
when the caller commits, the officer has been told (the outbox sends it).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.alerts.queue import IMMEDIATE, alert_officer_now
from bot.core.settings import Settings
from bot.models import Escalation
from bot.models.enums import SEVERITY_RANK, EscalationStatus, Severity


def open_escalation(
    session: Session,
    settings: Settings,
    *,
    person_id: int,
    reason: str,
    severity: str,
    now: datetime,
    detail: str = "",
    dedupe_open: bool = False,
    message_id: int | None = None,
) -> Escalation:
    """Open an escalation. With `dedupe_open`, an open one of the same reason is reused,
    so a repeating condition (e.g. unreachable) does not flood the officer's queue.
    `message_id` is the inbound message that caused it, when one did."""
    if dedupe_open:
        existing = session.exec(
            select(Escalation).where(
                Escalation.person_id == person_id,
                Escalation.reason == reason,
                Escalation.status == EscalationStatus.open,
            )
        ).first()
        if existing is not None:
            return existing
    level = Severity(severity)
    escalation = Escalation(
        person_id=person_id,
        reason=reason,
        severity=level,
        severity_rank=SEVERITY_RANK[level],
        detail=detail[:500],
        ack_deadline=now + settings.escalation_deadline(level),
        message_id=message_id,
        created_at=now,
    )
    session.add(escalation)
    if level in IMMEDIATE:
        session.flush()
        alert_officer_now(session, settings, escalation, now)
    return escalation
