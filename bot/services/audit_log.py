"""Reading the audit trail: filters, newest first, a page or a stream at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.models import AuditEvent

STREAM_BATCH = 500


@dataclass(frozen=True)
class AuditFilter:
    actor_user_id: int | None = None
    action: str | None = None
    entity_type: str | None = None
    person_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    def as_detail(self) -> dict[str, object]:
        """The filter as an audit event's detail (ids, names of actions, times)."""
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in vars(self).items()
            if value is not None
        }


def _query(where: AuditFilter, before: int | None) -> SelectOfScalar[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc())
    if where.actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == where.actor_user_id)
    if where.action is not None:
        query = query.where(AuditEvent.action == where.action)
    if where.entity_type is not None:
        query = query.where(AuditEvent.entity_type == where.entity_type)
    if where.person_id is not None:
        query = query.where(AuditEvent.person_id == where.person_id)
    if where.since is not None:
        query = query.where(col(AuditEvent.created_at) >= where.since)
    if where.until is not None:
        query = query.where(col(AuditEvent.created_at) < where.until)
    if before is not None:
        query = query.where(col(AuditEvent.id) < before)
    return query


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    next_before: int | None


def audit_page(
    session: Session, where: AuditFilter, *, before: int | None = None, limit: int = 100
) -> AuditPage:
    """Events with an id below `before`, newest first; `next_before` continues the list."""
    rows = list(session.exec(_query(where, before).limit(limit + 1)).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return AuditPage(items=rows, next_before=rows[-1].id)
    return AuditPage(items=rows, next_before=None)


def stream_audit(
    engine: Engine, where: AuditFilter, *, batch: int = STREAM_BATCH
) -> Iterator[AuditEvent]:
    """Every matching event, newest first, read a batch at a time in short transactions
    (a long export must not hold one open, nor load the whole trail)."""
    before: int | None = None
    while True:
        with Session(engine, expire_on_commit=False) as session:
            rows = list(session.exec(_query(where, before).limit(batch)).all())
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].id
