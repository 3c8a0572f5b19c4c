"""Failed inbound events: what an operator sees of them, and sending them round again.

An event fails when its handling raised (a bug, a shape the channel's code did not
expect); it keeps its payload `FAILED_KEEP_DAYS` (bot/intake/retention.py) so that, once
the cause is fixed and deployed, it can be processed after all instead of lost. Retrying
marks it pending again: the processor takes it like a new arrival, behind whatever of the
same sender came since (their order is the provider's, not a retry's). A message it had
stored before failing was rolled back with it, so nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from bot.core import audit
from bot.core.db import session_scope
from bot.intake.processor import FAILED
from bot.models import InboundEvent


@dataclass(frozen=True)
class FailedEvent:
    """What a listing shows: never the payload (names, what the person wrote)."""

    id: int
    channel: str
    received_at: datetime
    failed_at: datetime


def list_failed(engine: Engine, *, limit: int = 100) -> tuple[int, list[FailedEvent]]:
    """How many events have failed, and the oldest `limit` of them."""
    is_failed = col(InboundEvent.outcome) == FAILED
    with session_scope(engine) as session:
        total = session.exec(select(func.count()).select_from(InboundEvent).where(is_failed)).one()
        rows = session.exec(
            select(
                InboundEvent.id,
                InboundEvent.channel,
                InboundEvent.received_at,
                InboundEvent.processed_at,
            )
            .where(is_failed)
            .order_by(col(InboundEvent.id))
            .limit(limit)
        ).all()
    return total, [
        FailedEvent(id=row[0], channel=row[1], received_at=row[2], failed_at=row[3])
        for row in rows
        if row[0] is not None and row[3] is not None
    ]


def retry_failed(engine: Engine, ids: Collection[int] | None = None) -> int:
    """Mark failed events (those of `ids`, or all) pending again; how many were. Ids of
    events that did not fail are left alone: a processed event is never done twice."""
    condition = col(InboundEvent.outcome) == FAILED
    if ids is not None:
        condition = condition & col(InboundEvent.id).in_(list(ids))
    with session_scope(engine) as session:
        result = session.execute(
            update(InboundEvent).where(condition).values(processed_at=None, outcome=None)
        )
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            audit.record(
                session,
                action="inbound.retried",
                entity_type="inbound_event",
                actor_kind="system",  # an operator, from the command line
                detail={"events": count, "ids": sorted(ids)[:100] if ids is not None else "all"},
            )
    return count
