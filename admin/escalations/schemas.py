"""What the escalations API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from admin.persons.schemas import UtcDatetime
from admin.validation import TextChars
from bot.models.enums import EscalationOutcome, EscalationStatus, Severity
from bot.services.escalations import QueueItem

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), TextChars]


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: EscalationOutcome
    note: Note | None = None


class EscalationPublic(BaseModel):
    id: int
    person_id: int
    person_display_name: str
    reason: str
    severity: Severity
    status: EscalationStatus
    created_at: UtcDatetime
    ack_deadline: UtcDatetime | None
    # Until the deadline; negative once it has passed (null when resolved).
    seconds_left: int | None
    acknowledged_by: int | None
    acknowledged_at: UtcDatetime | None
    resolved_by: int | None
    resolved_at: UtcDatetime | None
    outcome: EscalationOutcome | None
    note: str | None
    # The message that caused it, when one did.
    message_id: int | None
    # queued | sent | failed | digest_pending | in_digest | none
    alert_status: str
    officer_alerted_at: UtcDatetime | None
    overdue_at: UtcDatetime | None
    supervisor_alerted_at: UtcDatetime | None
    alert_failed_at: UtcDatetime | None

    @classmethod
    def from_item(cls, item: QueueItem, now: datetime) -> EscalationPublic:
        e = item.escalation
        assert e.id is not None
        seconds_left = None
        if e.ack_deadline is not None and not e.is_resolved:
            seconds_left = int((e.ack_deadline - now).total_seconds())
        return cls(
            id=e.id,
            person_id=e.person_id,
            person_display_name=item.display_name,
            reason=e.reason,
            severity=e.severity,
            status=e.status,
            created_at=e.created_at,
            ack_deadline=e.ack_deadline,
            seconds_left=seconds_left,
            acknowledged_by=e.acknowledged_by_id,
            acknowledged_at=e.acknowledged_at,
            resolved_by=e.resolved_by_id,
            resolved_at=e.resolved_at,
            outcome=e.outcome,
            note=e.resolution_note,
            message_id=e.message_id,
            alert_status=item.alert_status,
            officer_alerted_at=e.officer_alerted_at,
            overdue_at=e.overdue_at,
            supervisor_alerted_at=e.supervisor_alerted_at,
            alert_failed_at=e.alert_failed_at,
        )


class EscalationsPage(BaseModel):
    items: list[EscalationPublic]
    # Pass as `after` for the next page; null on the last one.
    next_after: str | None
