"""Storing inbound events: one row per provider id, many requests in one transaction,
and a failed transaction reported to every request of its group."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col

from bot.core.db import make_engine
from bot.intake.store import MAX_GROUP, GroupCommit, NewEvent, store_events
from bot.models import InboundEvent

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _event(n: int, lane: str = "telegram:1") -> NewEvent:
    return NewEvent(
        channel="telegram",
        provider_event_id=f"u:{n}",
        lane=lane,
        payload={"update": {"update_id": n, "text": "салем"}},
    )


def _rows(engine: Engine) -> list[InboundEvent]:
    with engine.connect() as conn:
        return list(conn.execute(select(InboundEvent).order_by(InboundEvent.id)).all())


def test_store_returns_ids_in_order_and_keeps_the_payload(engine: Engine) -> None:
    stored = store_events(engine, [_event(1), _event(2, "sms:+77011234567")], NOW)

    assert [s.duplicate for s in stored] == [False, False]
    assert stored[0].event_id is not None and stored[1].event_id is not None
    assert stored[0].event_id < stored[1].event_id
    rows = _rows(engine)
    assert [(r.provider_event_id, r.lane) for r in rows] == [
        ("u:1", "telegram:1"),
        ("u:2", "sms:+77011234567"),
    ]
    assert rows[0].payload == {"update": {"update_id": 1, "text": "салем"}}
    assert rows[0].received_at == NOW
    assert rows[0].processed_at is None


def test_a_redelivered_id_is_not_stored_again(engine: Engine) -> None:
    store_events(engine, [_event(1)], NOW)

    again = store_events(engine, [_event(1), _event(3), _event(3)], NOW)

    assert [s.duplicate for s in again] == [True, False, True]
    assert [r.provider_event_id for r in _rows(engine)] == ["u:1", "u:3"]


def test_the_same_id_on_two_channels_is_two_events(engine: Engine) -> None:
    sms = NewEvent(channel="sms", provider_event_id="u:1", lane="sms:+7", payload={})

    stored = store_events(engine, [_event(1), sms], NOW)

    assert not any(s.duplicate for s in stored)
    assert len(_rows(engine)) == 2


def test_concurrent_requests_share_transactions(engine: Engine) -> None:
    async def burst() -> list[bool]:
        store = GroupCommit(engine)
        await store.start()
        try:
            answers = await asyncio.gather(*(store.store(_event(n)) for n in range(200)))
        finally:
            await store.stop()
        return [a.duplicate for a in answers]

    duplicates = asyncio.run(burst())

    assert duplicates == [False] * 200
    assert len(_rows(engine)) == 200
    # A group's events are stamped with one time: 200 requests waiting together were
    # written in a handful of statements, not 200.
    with engine.connect() as conn:
        times = select(func.count(distinct(col(InboundEvent.received_at))))
        groups = conn.execute(times).scalar_one()
    assert groups <= 5, groups


def test_the_stored_callback_runs_after_new_events_only(engine: Engine) -> None:
    woken: list[int] = []

    async def twice() -> None:
        store = GroupCommit(engine, on_stored=lambda: woken.append(1))
        await store.start()
        try:
            await store.store(_event(7))
            assert woken == [1]
            await store.store(_event(7))  # a re-delivery: nothing new to process
            assert woken == [1]
        finally:
            await store.stop()

    asyncio.run(twice())


def test_a_failed_group_fails_every_request_in_it() -> None:
    # Nothing listens on port 1: the database is down.
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")

    async def burst() -> list[BaseException | object]:
        store = GroupCommit(down)
        await store.start()
        try:
            return await asyncio.gather(
                *(store.store(_event(n)) for n in range(5)), return_exceptions=True
            )
        finally:
            await store.stop()

    try:
        answers = asyncio.run(burst())
    finally:
        down.dispose()

    assert len(answers) == 5
    assert all(isinstance(a, OperationalError) for a in answers), answers


def test_without_a_running_writer_the_event_is_stored_directly(engine: Engine) -> None:
    store = GroupCommit(engine)  # never started (a command, no lifespan)

    answer = asyncio.run(store.store(_event(11)))

    assert not answer.duplicate
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(InboundEvent)).scalar_one() == 1


@pytest.mark.parametrize("size", [1, 3])
def test_stop_stores_what_is_waiting(engine: Engine, size: int) -> None:
    async def stop_early() -> list[bool]:
        store = GroupCommit(engine)
        await store.start()
        pending = [asyncio.ensure_future(store.store(_event(n))) for n in range(size)]
        await asyncio.sleep(0)  # every request is waiting in the queue
        await store.stop()
        return [(await p).duplicate for p in pending]

    assert asyncio.run(stop_early()) == [False] * size
    assert len(_rows(engine)) == size


def test_a_group_is_stored_whole_or_not_at_all(engine: Engine) -> None:
    """One statement, so on PostgreSQL it is atomic without a transaction around it: an
    event the database refuses (no lane) takes the others of its group with it."""
    broken = NewEvent(channel="telegram", provider_event_id="u:bad", lane=None, payload={})  # type: ignore[arg-type]

    with pytest.raises(IntegrityError):
        store_events(engine, [_event(1), _event(2), broken], NOW)

    assert _rows(engine) == []
    # The connection is usable again, and the largest group fits in one statement.
    stored = store_events(engine, [_event(n) for n in range(MAX_GROUP)], NOW)
    assert not any(s.duplicate for s in stored) and len(_rows(engine)) == MAX_GROUP


def test_a_group_waiting_for_sqlites_write_lock_counts_as_waiting(engine: Engine) -> None:
    """The processor commits early while stores wait (bot/core/runtime.py): a group the
    writer has taken but cannot write yet must say so, or the processor would keep the
    lock through its whole batch."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's stores wait for no lock")

    async def blocked() -> tuple[bool, bool, bool]:
        store = GroupCommit(engine)
        await store.start()
        try:
            holder = engine.connect()
            holder.begin()  # this process's write lock, as a processor's batch holds it
            pending = asyncio.ensure_future(store.store(_event(21)))
            for _ in range(50):  # the writer takes the group and waits for the lock
                await asyncio.sleep(0.01)
            waiting_while_held = store.has_waiting()
            done_while_held = pending.done()
            holder.rollback()
            holder.close()
            await pending
            return waiting_while_held, done_while_held, store.has_waiting()
        finally:
            await store.stop()

    waiting_while_held, done_while_held, waiting_after = asyncio.run(blocked())

    assert waiting_while_held and not done_while_held
    assert not waiting_after
    assert [r.provider_event_id for r in _rows(engine)] == ["u:21"]
