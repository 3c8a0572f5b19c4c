"""Wake-ups between processes on PostgreSQL: storing inbound events notifies the listener
(the trigger of migration 0011), a lost connection is re-made and wakes everyone once, and
a `jolserik worker` beside the test processes what another process stored at once, not at
its next poll."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.core.clock import utcnow
from bot.core.db import make_engine
from bot.core.settings import Settings
from bot.core.wakeups import INBOUND_CHANNEL, OUTBOX_CHANNEL, Listener, Notifier, listens
from bot.intake.events import telegram_event
from bot.intake.store import NewEvent, store_events
from tests.bot.channels.telegram.updates import update
from tests.fakes.telegram_api import FakeBotApi
from tests.reliability.tcp_proxy import CuttableProxy
from tests.reliability.workers import (
    enrol_telegram,
    listening_backends,
    pending_events,
    start_worker,
    wait,
)

CHAT = 640_000_000


@pytest.fixture
def postgresql(engine: Engine) -> Engine:
    if not listens(engine):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL (on SQLite the processor shares the process)")
    return engine


def _event(n: int) -> NewEvent:
    from telegram import Update

    body = update("text", chat_id=CHAT, text="привет", update_id=90_000 + n)
    event = telegram_event(body, Update.de_json(body, None))
    assert event is not None
    return event


class _Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1

    async def reach(self, calls: int, seconds: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        while self.calls < calls:
            assert time.monotonic() < deadline, f"called {self.calls} times, not {calls}"
            await asyncio.sleep(0.01)


def test_sqlite_has_no_listener(engine: Engine) -> None:
    assert listens(engine) == (engine.url.get_backend_name() == "postgresql")


async def test_storing_events_wakes_the_listener_once_per_statement(postgresql: Engine) -> None:
    woken = _Counter()
    listener = Listener(postgresql, {INBOUND_CHANNEL: woken})
    task = asyncio.create_task(listener.run_forever())
    try:
        await asyncio.wait_for(listener.connected.wait(), timeout=5)
        assert woken.calls == 1  # on connecting: something may have been stored before

        await asyncio.to_thread(store_events, postgresql, [_event(1), _event(2)], utcnow())
        await woken.reach(2)
        await asyncio.sleep(0.3)  # a second notification for the same statement would be in
        assert woken.calls == 2

        # A re-delivery stores nothing, and wakes the listener all the same: harmless.
        await asyncio.to_thread(store_events, postgresql, [_event(1)], utcnow())
        await woken.reach(3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert not listener.connected.is_set()
    assert listening_backends(postgresql) == []  # cancelling closed its connection


async def test_a_lost_connection_is_made_again_and_wakes_everyone(
    postgresql: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    woken = _Counter()
    listener = Listener(postgresql, {INBOUND_CHANNEL: woken})
    task = asyncio.create_task(listener.run_forever())
    try:
        await asyncio.wait_for(listener.connected.wait(), timeout=5)
        [backend] = await asyncio.to_thread(listening_backends, postgresql)
        with postgresql.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        # Reconnected after the first pause (half a second), and woke the callback on
        # connecting, as a notification sent in between was lost.
        await woken.reach(2, seconds=10)
        await asyncio.wait_for(listener.connected.wait(), timeout=5)
        [again] = await asyncio.to_thread(listening_backends, postgresql)
        assert again != backend

        await asyncio.to_thread(store_events, postgresql, [_event(3)], utcnow())
        await woken.reach(3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    lost = [r for r in caplog.records if "lost its connection" in r.getMessage()]
    assert len(lost) == 1 and lost[0].error in {"OperationalError", "AdminShutdown"}  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_worker_takes_up_what_another_process_stored_at_once(
    postgresql: Engine, settings: Settings, fake: FakeBotApi
) -> None:
    enrol_telegram(postgresql, 1, CHAT)
    # A poll this long would fail the test: only the notification can wake it in time.
    worker = start_worker(settings, fake, INBOUND_POLL_SECONDS="60")
    try:
        wait(lambda: listening_backends(postgresql) != [], "the worker listening", 30)
        time.sleep(0.5)  # its first pass (on connecting) is over
        for n in range(3):
            store_events(postgresql, [_event(10 + n)], utcnow())
            stored = time.monotonic()
            wait(lambda: pending_events(postgresql) == 0, "the event processed", 10)
            assert time.monotonic() - stored < 5
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)
    assert worker.returncode == 0, errors.decode()[-2000:]


async def test_asking_to_notify_from_many_threads_sends_after_the_last_ask(
    postgresql: Engine,
) -> None:
    woken = _Counter()
    listener = Listener(postgresql, {OUTBOX_CHANNEL: woken})
    task = asyncio.create_task(listener.run_forever())
    notifier = Notifier(postgresql, OUTBOX_CHANNEL)
    notifier.request()  # not started: nothing is sent, nothing fails
    notifier.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), timeout=5)
        await woken.reach(1)
        together = threading.Barrier(40)

        def ask() -> None:
            together.wait()
            notifier.request()

        threads = [threading.Thread(target=ask) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        await woken.reach(2)
        await asyncio.sleep(0.5)
        # Asks that came while one was in flight were folded into the next: far fewer
        # notifications than asks.
        assert 2 <= woken.calls <= 1 + 10
        before = woken.calls
        notifier.request()
        await woken.reach(before + 1)
    finally:
        await notifier.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_back_off_grows_while_down_and_starts_again_once_it_was_up(
    postgresql: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgresql.url
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    woken = _Counter()
    listener = Listener(proxied, {INBOUND_CHANNEL: woken})
    task = asyncio.create_task(listener.run_forever())

    def pauses() -> list[float]:
        return [
            r.retry_seconds  # type: ignore[attr-defined]
            for r in caplog.records
            if "lost its connection" in r.getMessage()
        ]

    try:
        await asyncio.wait_for(listener.connected.wait(), timeout=5)
        proxy.cut()  # down: the connection dropped, new ones refused
        deadline = time.monotonic() + 10
        while len(pauses()) < 3:
            assert time.monotonic() < deadline, pauses()
            await asyncio.sleep(0.05)
        assert pauses()[:3] == [0.5, 1.0, 2.0]
        proxy.restore()
        await asyncio.wait_for(listener.connected.wait(), timeout=10)
        proxy.cut()  # down again, after it was up
        while len(pauses()) < 4:
            assert time.monotonic() < deadline + 10, pauses()
            await asyncio.sleep(0.05)
        assert pauses()[3] == 0.5
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        proxy.stop()
        proxied.dispose()
