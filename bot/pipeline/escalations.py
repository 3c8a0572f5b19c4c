"""Opening escalations for the officer (a service: it only adds rows to the session)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.models import Escalation
from bot.models.enums import SEVERITY_RANK, EscalationStatus, Severity
from bot.scheduling.cadence import ACK_DEADLINE


def open_escalation(
    session: Session,
    *,
    person_id: int,
    reason: str,
    severity: str,
    now: datetime,
    detail: str = "",
    dedupe_open: bool = False,
) -> Escalation:
    """Open an escalation. With `dedupe_open`, an open one of the same reason is reused,
    so a repeating condition (e.g. unreachable) does not flood the officer's queue."""
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
    escalation = Escalation(
        person_id=person_id,
        reason=reason,
        severity=Severity(severity),
        severity_rank=SEVERITY_RANK[severity],
        detail=detail[:500],
        ack_deadline=now + ACK_DEADLINE.get(severity, ACK_DEADLINE["low"]),
        created_at=now,
    )
    session.add(escalation)
    return escalation
