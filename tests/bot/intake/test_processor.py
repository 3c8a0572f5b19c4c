"""The processor: stored events through the flows in order per sender, one bad event never
blocking a batch, the payload cleared once processed, and, with the worker's processor,
the webhook only storing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.core.clock import utcnow
from bot.core.db import is_sqlite
from bot.core.settings import Settings
from bot.intake.events import telegram_event
from bot.intake.processor import claim_pending, process_pending
from bot.intake.store import NewEvent, store_events
from bot.models import InboundEvent, Message
from bot.models.enums import Direction
from tests.bot.channels.telegram.updates import post_update, update
from tests.fakes.telegram_api import FakeBotApi

CHAT = 7_001


def _telegram(body: dict) -> NewEvent:
    from telegram import Update

    event = telegram_event(body, Update.de_json(body, None))
    assert event is not None
    return event


def _inbound_texts(
    engine: Engine, chat: int = CHAT, direction: Direction = Direction.inbound
) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message.body)
                .where(Message.address == str(chat), Message.direction == direction)
                .order_by(col(Message.id))
            ).all()
        )


def _events(engine: Engine) -> list[InboundEvent]:
    with Session(engine) as session:
        return list(session.exec(select(InboundEvent).order_by(col(InboundEvent.id))).all())


def test_a_batch_keeps_each_senders_order(engine: Engine, settings: Settings) -> None:
    words = ["привет", "мне нужна работа", "спасибо", "ok"]
    other = update("text", chat_id=CHAT + 1, text="salem")
    events = [_telegram(update("text", chat_id=CHAT, text=w)) for w in words]
    events.insert(2, _telegram(other))
    store_events(engine, events, utcnow())

    batch = process_pending(engine, settings, limit=100)

    assert batch.events == 5 and batch.failed == 0 and batch.queued
    assert _inbound_texts(engine) == words
    assert _inbound_texts(engine, CHAT + 1) == ["salem"]
    rows = _events(engine)
    assert {r.outcome for r in rows} == {"message"}
    assert all(r.processed_at is not None and r.payload is None for r in rows)


def test_a_bad_event_is_marked_failed_and_the_rest_go_on(
    engine: Engine, settings: Settings
) -> None:
    good_before = _telegram(update("text", chat_id=CHAT, text="первое"))
    unreadable = NewEvent("telegram", "u:bad", f"telegram:{CHAT}", {"update": "not an update"})
    unknown = NewEvent("pigeon", "p:1", "pigeon:1", {"text": "курлык"})
    good_after = _telegram(update("text", chat_id=CHAT, text="второе"))
    store_events(engine, [good_before, unreadable, unknown, good_after], utcnow())

    batch = process_pending(engine, settings, limit=100)

    assert (batch.events, batch.failed) == (4, 2)
    rows = _events(engine)
    assert [r.outcome for r in rows] == ["message", "failed", "failed", "message"]
    assert _inbound_texts(engine) == ["первое", "второе"]
    # A failed event keeps what came, to be looked into; a processed one keeps nothing.
    assert [r.payload is None for r in rows] == [True, False, False, True]


def test_batches_take_the_oldest_first_and_stop_at_the_limit(
    engine: Engine, settings: Settings
) -> None:
    store_events(
        engine, [_telegram(update("text", chat_id=CHAT, text=str(n))) for n in range(5)], utcnow()
    )

    first = process_pending(engine, settings, limit=3)

    assert first.events == 3
    assert _inbound_texts(engine) == ["0", "1", "2"]
    assert process_pending(engine, settings, limit=3).events == 2
    assert process_pending(engine, settings, limit=3).events == 0
    assert _inbound_texts(engine) == ["0", "1", "2", "3", "4"]


def test_an_event_is_processed_at_the_time_it_came(engine: Engine, settings: Settings) -> None:
    came = utcnow() - timedelta(minutes=40)
    store_events(engine, [_telegram(update("text", chat_id=CHAT, text="я тут"))], came)

    process_pending(engine, settings, limit=10)

    with Session(engine) as session:
        message = session.exec(select(Message).where(Message.direction == Direction.inbound)).one()
    assert message.created_at == came


def test_only_the_given_lanes_are_processed(engine: Engine, settings: Settings) -> None:
    store_events(
        engine,
        [
            _telegram(update("text", chat_id=CHAT, text="мой")),
            _telegram(update("text", chat_id=CHAT + 5, text="чужой")),
        ],
        utcnow(),
    )

    batch = process_pending(engine, settings, limit=10, lanes=[f"telegram:{CHAT}"])

    assert batch.events == 1
    assert [r.processed_at is not None for r in _events(engine)] == [True, False]


def test_a_processed_event_delivered_again_does_nothing(engine: Engine, settings: Settings) -> None:
    body = update("text", chat_id=CHAT, text="привет")
    store_events(engine, [_telegram(body)], utcnow())
    process_pending(engine, settings, limit=10)
    replies = _outbound_count(engine)
    # Long after: the event row was pruned, the provider re-delivers the same update.
    with Session(engine) as session:
        session.delete(session.exec(select(InboundEvent)).one())
        session.commit()
    store_events(engine, [_telegram(body)], utcnow())

    batch = process_pending(engine, settings, limit=10)

    assert [r.outcome for r in _events(engine)] == ["duplicate"]
    assert batch.queued is False
    assert _inbound_texts(engine) == ["привет"]
    assert _outbound_count(engine) == replies


def _outbound_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(
            session.exec(select(Message.id).where(Message.direction == Direction.outbound)).all()
        )


def test_a_later_event_waits_while_another_process_holds_an_earlier_one(
    engine: Engine, settings: Settings
) -> None:
    if is_sqlite(engine):
        pytest.skip("one writer at a time on SQLite: no other process can hold an event")
    events = [_telegram(update("text", chat_id=CHAT, text=w)) for w in ("раз", "два")]
    events.append(_telegram(update("text", chat_id=CHAT + 9, text="другой")))
    store_events(engine, events, utcnow())
    with Session(engine) as first, Session(engine) as second:
        held = claim_pending(first, limit=1)
        assert [e.provider_event_id for e in held] == [events[0].provider_event_id]

        taken = claim_pending(second, limit=10)

        # The sender's second event waits for their first; another sender's goes ahead.
        assert [e.lane for e in taken] == [f"telegram:{CHAT + 9}"]
        second.rollback()
        first.rollback()


@pytest.fixture
def worker_mode(tg_settings: Settings) -> Settings:
    return tg_settings.model_copy(update={"inbound_processing": "worker"})


def test_without_a_worker_the_webhook_only_stores(engine: Engine, worker_mode: Settings) -> None:
    with TestClient(create_app(worker_mode)) as client:
        response = post_update(client, update("text", chat_id=CHAT, text="я больше не хочу жить"))

    assert response.status_code == 200
    assert [(r.outcome, r.processed_at) for r in _events(engine)] == [(None, None)]
    assert _inbound_texts(engine) == []
    # The worker, when it runs, takes it up.
    assert process_pending(engine, worker_mode, limit=10).events == 1
    assert _inbound_texts(engine) == ["я больше не хочу жить"]


def test_the_worker_processes_and_answers_what_the_webhook_stored(
    engine: Engine, worker_mode: Settings, fake: FakeBotApi
) -> None:
    with TestClient(create_app(worker_mode, with_worker=True)) as client:
        assert post_update(client, update("text", chat_id=CHAT, text="привет")).status_code == 200
        sent = fake.wait_for("sendMessage", 1, timeout=10)
        pressed = update("callback_query", chat_id=CHAT, data="lang:ru")
        assert post_update(client, pressed).status_code == 200
        fake.wait_for("answerCallbackQuery", 1, timeout=10)

    assert sent[0].params["chat_id"] in (CHAT, str(CHAT))
    assert [r.outcome for r in _events(engine)] == ["message", "message"]


def test_a_processor_stopped_before_it_runs_does_not_run(
    engine: Engine, settings: Settings
) -> None:
    import asyncio

    from bot.intake.processor import InboundProcessor

    processor = InboundProcessor(engine, settings, {})
    processor.stop()

    # It returns at once (a stop asked for while the worker was starting is kept).
    asyncio.run(asyncio.wait_for(processor.run_forever(), timeout=5))


def _savepoints_while(engine: Engine, run) -> int:  # type: ignore[no-untyped-def]
    from tests.panel.test_query_counts import counted

    with counted() as statements:
        run()
    return sum(statement.startswith("SAVEPOINT") for statement in statements)


def test_different_senders_share_a_savepoint_and_a_senders_next_event_waits_for_the_next(
    engine: Engine, settings: Settings
) -> None:
    senders = [CHAT + n for n in range(6)]
    store_events(
        engine, [_telegram(update("text", chat_id=c, text="привет")) for c in senders], utcnow()
    )
    assert _savepoints_while(engine, lambda: process_pending(engine, settings, limit=100)) == 1

    twice = [CHAT + 10, CHAT + 11, CHAT + 10, CHAT + 11]
    store_events(
        engine,
        [_telegram(update("text", chat_id=c, text=str(n))) for n, c in enumerate(twice)],
        utcnow(),
    )
    assert _savepoints_while(engine, lambda: process_pending(engine, settings, limit=100)) == 2
    assert _inbound_texts(engine, CHAT + 10) == ["0", "2"]
    assert _inbound_texts(engine, CHAT + 11) == ["1", "3"]


def test_a_failure_among_others_redoes_them_alone_and_keeps_each_once(
    engine: Engine, settings: Settings
) -> None:
    good = [_telegram(update("text", chat_id=CHAT + n, text=f"слово {n}")) for n in range(3)]
    unknown = NewEvent("pigeon", "p:1", "pigeon:1", {"text": "курлык"})
    store_events(engine, [good[0], good[1], unknown, good[2]], utcnow())

    batch = process_pending(engine, settings, limit=100)

    assert (batch.events, batch.failed) == (4, 1)
    assert [r.outcome for r in _events(engine)] == ["message", "message", "failed", "message"]
    for n in range(3):
        assert _inbound_texts(engine, CHAT + n) == [f"слово {n}"]
    assert _outbound_count(engine) == 3  # one answer each, none from the undone attempt


def _replies(engine: Engine, chat: int) -> list[str]:
    return _inbound_texts(engine, chat, Direction.outbound)


def test_a_batch_answers_a_conversation_as_one_event_at_a_time_would(
    engine: Engine, settings: Settings
) -> None:
    from tests.factories import make_enrolled

    said = ["привет", "мне нужна работа", "1", "нет", "kak dela", "меню", "2"]
    alone, together = CHAT + 20, CHAT + 21
    for chat in (alone, together):
        make_enrolled(engine, channel="telegram", address=str(chat), language="ru")
    for text in said:
        store_events(engine, [_telegram(update("text", chat_id=alone, text=text))], utcnow())
        assert process_pending(engine, settings, limit=1).events == 1
    store_events(
        engine, [_telegram(update("text", chat_id=together, text=t)) for t in said], utcnow()
    )

    assert process_pending(engine, settings, limit=100).events == len(said)

    assert len(_replies(engine, alone)) >= len(said)
    assert _replies(engine, together) == _replies(engine, alone)
