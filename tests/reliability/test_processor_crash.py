"""The inbound processor in `jolserik worker`, killed and run twice at once.

- Killed with SIGKILL in the middle of 5,000 stored updates and started again: every
  update is processed exactly once (a batch is one transaction: what the killed process
  had not committed is done again from the start, what it had is not touched again).
- Two workers on PostgreSQL processing together: every update processed once, and each
  person's messages stored in the order they came, three per person.
"""

from __future__ import annotations

import signal

import pytest
from sqlalchemy.engine import Engine

from bot.core.settings import Settings
from tests.fakes.telegram_api import FakeBotApi
from tests.reliability.workers import (
    enrol_telegram,
    inbound_by_chat,
    pending_events,
    replies_by_chat,
    start_worker,
    store_texts,
    wait,
)

FIRST_CHAT = 660_000_000


@pytest.mark.slow
def test_a_killed_processor_processes_every_update_once(
    settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    people = 5000
    enrol_telegram(engine, people, FIRST_CHAT)
    store_texts(engine, [(FIRST_CHAT + n, "привет, как дела") for n in range(people)])
    first = start_worker(settings, fake)
    try:
        wait(lambda: pending_events(engine) <= people * 2 // 3, "a third processed", 120)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    left = pending_events(engine)
    assert 0 < left < people  # it really died mid-way

    second = start_worker(settings, fake)
    try:
        wait(lambda: pending_events(engine) == 0, "every update processed", 240)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    inbound = inbound_by_chat(engine)
    assert len(inbound) == people
    assert {len(texts) for texts in inbound.values()} == {1}  # none stored twice
    replies = replies_by_chat(engine)
    assert len(replies) == people and set(replies.values()) == {1}  # none answered twice
    print(f"\nkilled with {left} of {people} updates pending; none processed twice")


@pytest.mark.slow
def test_two_workers_keep_each_persons_order(
    settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("several workers share one database on PostgreSQL (SQLite: one process)")
    people, words = 400, ["раз", "два", "три"]
    enrol_telegram(engine, people, FIRST_CHAT)
    workers = [start_worker(settings, fake), start_worker(settings, fake)]
    try:
        # Stored while both run: each takes batches as they come, in the same lanes.
        for word in words:
            store_texts(engine, [(FIRST_CHAT + n, word) for n in range(people)])
        wait(lambda: pending_events(engine) == 0, "every update processed", 240)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)

    inbound = inbound_by_chat(engine)
    assert len(inbound) == people
    out_of_order = [chat for chat, texts in inbound.items() if texts != words]
    assert out_of_order == []
