"""The officer's escalation queue: who sees which escalation, the queue's order and
keyset pages, and the one table of status transitions."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from bot.core import audit
from bot.core.clock import as_utc
from bot.core.settings import Settings
from bot.models import Escalation, Message, Person, User
from bot.models.enums import EscalationOutcome, EscalationStatus, MessageStatus
from bot.services import Conflict, InvalidInput
from bot.services.erasure import ensure_not_erased
from bot.services.persons import MAX_ID, scope_clause

# (action, current status) -> new status. Anything else is a 409 naming the status.
TRANSITIONS: dict[tuple[str, EscalationStatus], EscalationStatus] = {
    ("acknowledge", EscalationStatus.open): EscalationStatus.acknowledged,
    ("acknowledge", EscalationStatus.overdue): EscalationStatus.acknowledged,
    ("resolve", EscalationStatus.open): EscalationStatus.resolved,
    ("resolve", EscalationStatus.overdue): EscalationStatus.resolved,
    ("resolve", EscalationStatus.acknowledged): EscalationStatus.resolved,
    ("reopen", EscalationStatus.resolved): EscalationStatus.open,
}
# The queue's order; the keyset cursor carries these four values of the last item.
QUEUE_ORDER = (
    col(Escalation.is_resolved),
    col(Escalation.severity_rank),
    col(Escalation.ack_deadline),
    col(Escalation.id),
)


@dataclass(frozen=True)
class Filters:
    status: EscalationStatus | None = None
    severity: str | None = None
    reason: str | None = None
    person_id: int | None = None


@dataclass(frozen=True)
class QueueItem:
    escalation: Escalation
    display_name: str
    alert_status: str


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_after: str | None


# --- the cursor ------------------------------------------------------------------------------


def encode_cursor(escalation: Escalation) -> str:
    deadline = escalation.ack_deadline
    raw = json.dumps(
        [
            int(escalation.is_resolved),
            escalation.severity_rank,
            as_utc(deadline).isoformat() if deadline else None,  # type: ignore[union-attr]
            escalation.id,
        ]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[bool, int, datetime | None, int]:
    """The four ordering values of a cursor; InvalidInput("after") when it is not ours."""
    bad = InvalidInput("after", "not a cursor this API gave out")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        resolved, rank, deadline, last_id = json.loads(raw)
        when = datetime.fromisoformat(deadline) if deadline is not None else None
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise bad from None
    if (
        resolved not in (0, 1)
        or type(rank) is not int
        or not 0 <= rank <= 3
        or type(last_id) is not int
        or not 1 <= last_id <= MAX_ID
        or (when is not None and (when.tzinfo is None or when.year < 2 or when.year > 9998))
    ):
        raise bad
    return bool(resolved), rank, when, last_id


def _after(values: tuple[bool, int, datetime | None, int]) -> ColumnElement[bool]:
    """Rows after `values` in QUEUE_ORDER, as nested comparisons (portable, and each one
    is bound with its column's type)."""
    resolved, rank, deadline, last_id = values
    tail: ColumnElement[bool] = col(Escalation.id) > last_id
    if deadline is None:
        # Only rows without a deadline (none are made today) can follow one that has none.
        deadline_part = and_(col(Escalation.ack_deadline).is_(None), tail)
    else:
        deadline_part = or_(
            col(Escalation.ack_deadline) > deadline,
            col(Escalation.ack_deadline).is_(None),
            and_(col(Escalation.ack_deadline) == deadline, tail),
        )
    rank_part = or_(
        col(Escalation.severity_rank) > rank,
        and_(col(Escalation.severity_rank) == rank, deadline_part),
    )
    if resolved:
        return and_(col(Escalation.is_resolved).is_(True), rank_part)
    return or_(
        col(Escalation.is_resolved).is_(True),
        and_(col(Escalation.is_resolved).is_(False), rank_part),
    )


# --- reading ---------------------------------------------------------------------------------


def _scoped(user: User) -> Any:
    query = select(Escalation, Person.display_name).join(
        Person, col(Person.id) == col(Escalation.person_id)
    )
    clause = scope_clause(user)
    return query if clause is None else query.where(clause)


def list_queue(
    session: Session,
    user: User,
    *,
    filters: Filters,
    limit: int = 50,
    after: str | None = None,
) -> QueuePage:
    query = _scoped(user)
    if filters.status is not None:
        query = query.where(Escalation.status == filters.status)
    if filters.severity is not None:
        query = query.where(Escalation.severity == filters.severity)
    if filters.reason is not None:
        query = query.where(Escalation.reason == filters.reason)
    if filters.person_id is not None:
        query = query.where(Escalation.person_id == filters.person_id)
    if after is not None:
        query = query.where(_after(decode_cursor(after)))
    # NULL deadlines (none are made today) sort last on both databases.
    query = query.order_by(
        QUEUE_ORDER[0],
        QUEUE_ORDER[1],
        col(Escalation.ack_deadline).is_(None),
        QUEUE_ORDER[2],
        QUEUE_ORDER[3],
    ).limit(limit + 1)
    rows = list(session.exec(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    statuses = alert_statuses(session, [row[0] for row in rows])
    items = [
        QueueItem(escalation, name, statuses.get(escalation.id, "none"))  # type: ignore[arg-type]
        for escalation, name in rows
    ]
    return QueuePage(items, encode_cursor(rows[-1][0]) if more and rows else None)


def get_for(
    session: Session, user: User, escalation_id: int, *, for_update: bool = False
) -> QueueItem | None:
    """The escalation if it exists and its person is in `user`'s scope; else None."""
    if not 1 <= escalation_id <= MAX_ID:
        return None
    query = _scoped(user).where(Escalation.id == escalation_id)
    if for_update:
        query = query.with_for_update(of=Escalation)  # type: ignore[arg-type]
    row = session.exec(query).first()
    if row is None:
        return None
    escalation, name = row
    return QueueItem(escalation, name, alert_statuses(session, [escalation])[escalation.id])


def alert_statuses(session: Session, escalations: list[Escalation]) -> dict[int, str]:
    """What became of each escalation's staff alerts, for the queue (one query)."""
    ids = [e.id for e in escalations if e.id is not None]
    states: dict[int, set[str]] = {escalation_id: set() for escalation_id in ids}
    if ids:
        rows = session.exec(
            select(Message.escalation_id, Message.status)
            .where(col(Message.escalation_id).in_(ids))
            .distinct()
        ).all()
        for escalation_id, status in rows:
            states[escalation_id].add(str(status))  # type: ignore[index]
    return {e.id: _alert_status(e, states[e.id]) for e in escalations if e.id is not None}


def _alert_status(escalation: Escalation, states: set[str]) -> str:
    if escalation.alert_failed_at is not None:
        return "failed"
    if states & {MessageStatus.sent, MessageStatus.delivered}:
        return "sent"
    if states & {MessageStatus.queued, MessageStatus.sending}:
        return "queued"
    if escalation.officer_alerted_at is None:
        return "digest_pending"
    return "in_digest" if not states else "failed"


# --- changing --------------------------------------------------------------------------------


def move(
    session: Session,
    settings: Settings,
    item: QueueItem,
    action: str,
    *,
    actor: User,
    now: datetime,
    outcome: EscalationOutcome | None = None,
    note: str | None = None,
) -> EscalationStatus:
    """Apply `action` by the transition table and audit it (the note stays out of the
    audit trail); Conflict when the table has no move from the current status. The API
    and the panel both move escalations through here. Returns the status it moved from."""
    escalation = item.escalation
    person = session.get(Person, escalation.person_id)
    if person is not None:
        ensure_not_erased(person)  # their escalations were closed with the erasure
    old = EscalationStatus(escalation.status)
    new = TRANSITIONS.get((action, old))
    if new is None:
        raise Conflict(f"cannot {action} an escalation that is {old.value}")
    match new:
        case EscalationStatus.acknowledged:
            escalation.acknowledged_at = now
            escalation.acknowledged_by_id = actor.id
        case EscalationStatus.resolved:
            if outcome is None:
                raise InvalidInput("outcome", "required to resolve")
            escalation.resolved_at = now
            escalation.resolved_by_id = actor.id
            escalation.outcome = outcome
            escalation.resolution_note = note
        case EscalationStatus.open:
            # Reopened: a fresh deadline, as if it had just come in.
            escalation.resolved_at = None
            escalation.resolved_by_id = None
            escalation.outcome = None
            escalation.resolution_note = None
            escalation.acknowledged_at = None
            escalation.acknowledged_by_id = None
            escalation.overdue_at = None
            escalation.supervisor_alerted_at = None
            escalation.ack_deadline = now + settings.escalation_deadline(str(escalation.severity))
    escalation.status = new
    escalation.is_resolved = new == EscalationStatus.resolved
    session.add(escalation)
    session.flush()
    detail = {"from": old.value, "to": str(escalation.status)}
    if outcome is not None:
        detail["outcome"] = str(outcome)
    record_event(session, actor, f"escalation.{action}", item, detail)
    return old


def record_event(
    session: Session,
    actor: User,
    action: str,
    item: QueueItem,
    detail: dict[str, str] | None = None,
) -> None:
    escalation = item.escalation
    audit.record(
        session,
        action=action,
        entity_type="escalation",
        entity_id=escalation.id,
        person_id=escalation.person_id,
        actor_user_id=actor.id,
        detail=detail,
    )


def record_list(session: Session, actor: User, page: QueuePage) -> None:
    audit.record(
        session,
        action="escalation.list",
        entity_type="escalation",
        actor_user_id=actor.id,
        detail={"escalation_ids": [item.escalation.id for item in page.items]},
    )
