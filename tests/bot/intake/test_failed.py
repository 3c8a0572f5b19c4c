"""Failed inbound events: listed without their content, and processed after all once
retried (from the command line too)."""

from __future__ import annotations

import pytest
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli import app
from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.intake.failed import list_failed, retry_failed
from bot.intake.processor import FAILED, process_pending
from bot.intake.store import NewEvent, store_events
from bot.models import AuditEvent, InboundEvent, Message
from bot.models.enums import Direction
from tests.bot.channels.telegram.updates import update
from tests.bot.intake.test_processor import _telegram
from tests.bot.test_cli import cli_env  # noqa: F401  (the fixture)

CHAT = 7_300


def _failed_telegram_event(engine: Engine, settings: Settings, text: str) -> int:
    """A readable update that failed, as a bug fixed since would have left it."""
    store_events(engine, [_telegram(update("text", chat_id=CHAT, text=text))], utcnow())
    with Session(engine) as session:
        event = session.exec(select(InboundEvent).order_by(col(InboundEvent.id).desc())).first()
        assert event is not None and event.id is not None
        session.execute(
            sql_update(InboundEvent)
            .where(col(InboundEvent.id) == event.id)
            .values(processed_at=utcnow(), outcome=FAILED)
        )
        session.commit()
        return event.id


def _inbound(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(select(Message.body).where(Message.direction == Direction.inbound)).all()
        )


def test_a_retried_event_is_processed_like_a_new_arrival(engine: Engine, settings: Settings):
    event_id = _failed_telegram_event(engine, settings, "мне нужна работа")
    assert process_pending(engine, settings, limit=10).events == 0  # failed stays failed

    assert retry_failed(engine, [event_id]) == 1
    batch = process_pending(engine, settings, limit=10)

    assert (batch.events, batch.failed, batch.queued) == (1, 0, True)
    assert _inbound(engine) == ["мне нужна работа"]
    with Session(engine) as session:
        event = session.get(InboundEvent, event_id)
        assert event.outcome == "message" and event.payload is None
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "inbound.retried")).one()
        assert audit.detail == {"events": 1, "ids": [event_id]}


def test_only_failed_events_are_retried(engine: Engine, settings: Settings):
    store_events(engine, [_telegram(update("text", chat_id=CHAT, text="привет"))], utcnow())
    process_pending(engine, settings, limit=10)
    with Session(engine) as session:
        done = session.exec(select(InboundEvent.id)).one()

    assert retry_failed(engine, [done]) == 0
    assert retry_failed(engine) == 0
    assert process_pending(engine, settings, limit=10).events == 0
    assert _inbound(engine) == ["привет"]  # never twice


def test_the_listing_counts_and_shows_no_content(engine: Engine, settings: Settings):
    store_events(engine, [NewEvent("pigeon", "p:1", "pigeon:1", {"text": "курлык"})], utcnow())
    process_pending(engine, settings, limit=10)
    _failed_telegram_event(engine, settings, "секрет")

    total, events = list_failed(engine, limit=1)

    assert total == 2 and len(events) == 1
    assert events[0].channel == "pigeon"
    assert "курлык" not in repr(events)


@pytest.mark.usefixtures("cli_env")
def test_the_commands_list_and_retry(engine: Engine, settings: Settings):
    event_id = _failed_telegram_event(engine, settings, "помогите с жильём")
    runner = CliRunner()

    listed = runner.invoke(app, ["inbound", "failed"])
    assert listed.exit_code == 0, listed.output
    assert "1 failed inbound event(s)." in listed.output
    assert f"#{event_id}" in listed.output and "жильём" not in listed.output

    neither = runner.invoke(app, ["inbound", "retry"])
    assert neither.exit_code == 2 and "--id N" in neither.output

    retried = runner.invoke(app, ["inbound", "retry", "--all"])
    assert retried.exit_code == 0, retried.output
    assert "1 event(s) back in the queue" in retried.output
    assert process_pending(engine, settings, limit=10).events == 1
    assert _inbound(engine) == ["помогите с жильём"]
