"""Pruning processed inbound events.

A processed event keeps no payload (the message row holds what the person wrote); its row
stays `INBOUND_EVENT_KEEP_HOURS` so a provider's late re-delivery is still recognised as
one, then it is deleted. An event that failed keeps its payload (the update as the
provider sent it: names, usernames) for investigation, `FAILED_KEEP_DAYS` at most.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.intake.processor import FAILED
from bot.models import InboundEvent
from bot.scheduling.sweep import SweepSummary

# Long enough to find and fix what made an event fail; no longer, since nobody reads
# these rows but an operator.
FAILED_KEEP_DAYS = 30


def prune_inbound_events(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """Delete old processed events, a batch per transaction (by the processed_at index)."""
    summary = SweepSummary("prune_inbound_events")
    done_before = now - timedelta(hours=settings.inbound_event_keep_hours)
    failed_before = now - timedelta(days=FAILED_KEEP_DAYS)
    old = or_(
        (col(InboundEvent.processed_at) < done_before) & (col(InboundEvent.outcome) != FAILED),
        (col(InboundEvent.processed_at) < failed_before) & (col(InboundEvent.outcome) == FAILED),
    )
    while True:
        with session_scope(engine) as session:
            ids = session.exec(
                select(InboundEvent.id)
                .where(col(InboundEvent.processed_at).is_not(None), old)
                .order_by(col(InboundEvent.processed_at))
                .limit(settings.sweep_batch_size)
            ).all()
            if ids:
                session.execute(delete(InboundEvent).where(col(InboundEvent.id).in_(ids)))
        summary.processed += len(ids)
        if len(ids) < settings.sweep_batch_size:
            return summary
