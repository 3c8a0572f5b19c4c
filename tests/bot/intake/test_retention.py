"""Pruning processed inbound events: done ones after the keep window, failed ones after
the retention period, pending ones never."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.intake.retention import FAILED_KEEP_DAYS, prune_inbound_events
from bot.models import InboundEvent
from bot.scheduling.worker import Worker


def _event(n: int, *, processed_hours_ago: float | None, outcome: str | None) -> InboundEvent:
    now = utcnow()
    processed = None if processed_hours_ago is None else now - timedelta(hours=processed_hours_ago)
    return InboundEvent(
        channel="telegram",
        provider_event_id=f"u:{n}",
        lane=f"telegram:{n}",
        payload={"update": {}} if outcome != "message" else None,
        received_at=now - timedelta(days=400),
        processed_at=processed,
        outcome=outcome,
    )


def test_prune_keeps_what_it_must(engine: Engine, settings: Settings) -> None:
    keep = settings.inbound_event_keep_hours
    with Session(engine) as session:
        session.add_all(
            [
                _event(1, processed_hours_ago=keep + 1, outcome="message"),  # old: goes
                _event(2, processed_hours_ago=keep - 1, outcome="duplicate"),  # recent: stays
                _event(3, processed_hours_ago=None, outcome=None),  # pending: stays
                _event(4, processed_hours_ago=keep + 1, outcome="failed"),  # failed: stays
                _event(5, processed_hours_ago=24 * FAILED_KEEP_DAYS + 1, outcome="failed"),
            ]
        )
        session.commit()

    summary = prune_inbound_events(engine, settings, utcnow())

    assert summary.processed == 2
    with Session(engine) as session:
        left = session.exec(
            select(InboundEvent.provider_event_id).order_by(col(InboundEvent.id))
        ).all()
    assert left == ["u:2", "u:3", "u:4"]


def test_prune_goes_through_more_than_a_batch(engine: Engine, settings: Settings) -> None:
    small = settings.model_copy(update={"sweep_batch_size": 7})
    with Session(engine) as session:
        session.add_all([_event(n, processed_hours_ago=100, outcome="message") for n in range(30)])
        session.commit()

    assert prune_inbound_events(engine, small, utcnow()).processed == 30


def test_the_worker_runs_it(engine: Engine, settings: Settings) -> None:
    assert "prune_inbound_events" in Worker(settings, engine, dispatcher=None).sweeps()  # type: ignore[arg-type]
