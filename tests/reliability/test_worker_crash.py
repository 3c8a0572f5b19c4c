"""A worker killed with SIGKILL in the middle of dispatching 10,000 queued messages, then
started again: every message reaches the (fake) Bot API, and a message is sent twice only
if it was in flight when the worker died — at most one claim batch. On PostgreSQL, two
workers dispatching the same queue together send nothing twice."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy.engine import Engine

from bot.core.settings import Settings
from tests.fakes.telegram_api import FakeBotApi
from tests.reliability.workers import (
    BATCH,
    queue_messages,
    sent_texts,
    sqlite_pass_only,
    start_worker,
    unsent,
    wait,
)

MESSAGES = 10_000


@pytest.mark.slow
def test_a_killed_worker_loses_nothing_and_resends_at_most_a_batch(
    settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    sqlite_pass_only(engine)  # on PostgreSQL, two workers at once (below)
    queue_messages(engine, MESSAGES)
    first = start_worker(settings, fake)
    try:
        wait(lambda: len(fake.calls_to("sendMessage")) >= MESSAGES // 3, "a third sent", 120)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    sent_before_kill = len(fake.calls_to("sendMessage"))
    assert sent_before_kill < MESSAGES  # it really died mid-way

    second = start_worker(settings, fake)
    try:
        wait(lambda: unsent(engine) == 0, "every message marked sent", 240)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    texts = sent_texts(fake)
    assert set(texts) == {f"reminder {n}" for n in range(MESSAGES)}  # nothing lost
    twice = sum(count - 1 for count in texts.values())
    print(f"\nkilled after {sent_before_kill} sends; resent after restart: {twice}")
    assert twice <= BATCH


@pytest.mark.slow
def test_two_workers_on_postgresql_send_nothing_twice(
    settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("several workers share one database on PostgreSQL (SQLite: one process)")
    queue_messages(engine, MESSAGES // 2)
    workers = [start_worker(settings, fake), start_worker(settings, fake)]
    try:
        wait(lambda: unsent(engine) == 0, "every message marked sent", 240)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
    texts = sent_texts(fake)
    assert len(texts) == MESSAGES // 2
    assert max(texts.values()) == 1
