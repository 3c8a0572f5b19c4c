"""The database connection cut under a running processor (PostgreSQL behind a proxy that
drops every connection), then restored: while it is down nothing is half-applied (an
update is either processed with its message and reply, or untouched and pending), and
once it is back every update is processed exactly once."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine, make_url

from bot.core.db import make_engine
from bot.core.settings import Settings
from bot.intake.processor import InboundProcessor
from bot.intake.store import GroupCommit, NewEvent, Stored
from bot.models import InboundEvent
from tests.reliability.tcp_proxy import CuttableProxy
from tests.reliability.workers import (
    enrol_telegram,
    inbound_by_chat,
    pending_events,
    replies_by_chat,
    store_texts,
    wait,
)

PEOPLE = 3000
FIRST_CHAT = 550_000_000


def _processed_chats(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        lanes = conn.execute(
            select(InboundEvent.lane).where(InboundEvent.processed_at.is_not(None))  # type: ignore[union-attr]
        ).scalars()
        return {lane.partition(":")[2] for lane in lanes}


@pytest.mark.slow
def test_a_cut_database_leaves_nothing_half_done(settings: Settings, engine: Engine) -> None:
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("a connection to cut: PostgreSQL (SQLite has none)")
    enrol_telegram(engine, PEOPLE, FIRST_CHAT)
    store_texts(engine, [(FIRST_CHAT + n, "привет, как дела") for n in range(PEOPLE)])
    url = make_url(settings.database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
    processor = InboundProcessor(proxied, settings, {})
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(processor.run_forever(),))
    thread.start()
    try:
        wait(lambda: pending_events(engine) < PEOPLE * 2 // 3, "a third processed", 120)
        proxy.cut()
        time.sleep(1.0)  # the batch in flight fails; the processor backs off
        left = pending_events(engine)
        assert 0 < left < PEOPLE
        processed = _processed_chats(engine)
        stored = inbound_by_chat(engine)
        # Processed and stored go together: no message without its event done, and no
        # event marked done without its message and reply.
        assert set(stored) == processed
        replies = replies_by_chat(engine)
        assert set(replies) == processed and set(replies.values()) == {1}
        time.sleep(1.0)
        assert pending_events(engine) == left  # nothing moves while it is down

        proxy.restore()
        wait(lambda: pending_events(engine) == 0, "every update processed", 180)
    finally:
        loop.call_soon_threadsafe(processor.stop)
        thread.join(timeout=30)
        proxy.stop()
        proxied.dispose()
        loop.close()

    stored = inbound_by_chat(engine)
    assert len(stored) == PEOPLE and {len(texts) for texts in stored.values()} == {1}
    replies = replies_by_chat(engine)
    assert len(replies) == PEOPLE and set(replies.values()) == {1}
    print(f"\ncut with {left} of {PEOPLE} pending; after the restore none processed twice")


def test_the_webhook_writer_replaces_a_connection_the_database_dropped(
    settings: Settings, engine: Engine
) -> None:
    """The group writer keeps its connection between groups; one the database dropped in
    between (a restart, an idle time-out) is replaced at the next group, whose requests
    are stored, not refused: an SMS provider would not send a refused message again."""
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("a connection to cut: PostgreSQL (SQLite has none)")
    url = make_url(settings.database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = make_engine(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))

    def event(n: int) -> NewEvent:
        return NewEvent("telegram", f"u:{n}", f"telegram:{n}", {"update": {"update_id": n}})

    async def scenario() -> tuple[Stored, Stored, Exception | None]:
        store = GroupCommit(proxied)
        await store.start()
        try:
            before = await store.store(event(1))
            proxy.cut()  # drops the writer's kept connection
            proxy.restore()
            after = await store.store(event(2))
            proxy.cut()  # and now the database stays away: refused, so the provider retries
            try:
                await store.store(event(3))
                refused = None
            except Exception as exc:
                refused = exc
            proxy.restore()
            return before, after, refused
        finally:
            await store.stop()

    try:
        before, after, refused = asyncio.run(scenario())
    finally:
        proxy.stop()
        proxied.dispose()
    assert not before.duplicate and not after.duplicate
    assert refused is not None
    with engine.connect() as conn:
        stored = conn.execute(select(InboundEvent.provider_event_id)).scalars().all()
    assert sorted(stored) == ["u:1", "u:2"]
