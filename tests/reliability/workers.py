"""Workers in their own processes for the reliability tests: `jolserik worker` against the
test database and the fake Bot API, with a queue of messages to send or of inbound
events to process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.models import ChannelIdentity, Message, Person
from bot.models.enums import Direction, MessageStatus
from tests.fakes.telegram_api import TOKEN, FakeBotApi

BATCH = 100
FIRST_CHAT = 990_000_000
JOLSERIK = str(Path(sys.executable).parent / "jolserik")


def enrol_telegram(engine: Engine, people: int, first_chat: int) -> None:
    """`people` active persons, each on Telegram chat `first_chat + n`."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {"display_name": f"P{n}", "language": "ru", "timezone": "Asia/Almaty",
                 "supervision_level": "medium", "status": "active", "consent_given": True,
                 "missed_checkins_in_row": 0, "created_at": now, "updated_at": now}
                for n in range(people)
            ],
        )  # fmt: skip
        ids = [row[0] for row in conn.execute(select(Person.id).order_by(Person.id))]  # type: ignore[arg-type]
        conn.execute(
            insert(ChannelIdentity),
            [
                {"person_id": pid, "channel": "telegram", "address": str(first_chat + n),
                 "blocked": False, "opted_out": False, "created_at": now}
                for n, pid in enumerate(ids)
            ],
        )  # fmt: skip


def store_texts(engine: Engine, texts: list[tuple[int, str]]) -> None:
    """Telegram text updates (chat, text), stored as the webhook stores them, in order."""
    from telegram import Update

    from bot.intake.events import telegram_event
    from bot.intake.store import store_events
    from tests.bot.channels.telegram.updates import update

    events = []
    for chat, text in texts:
        body = update("text", chat_id=chat, text=text)
        event = telegram_event(body, Update.de_json(body, None))
        assert event is not None
        events.append(event)
    for start in range(0, len(events), 1000):
        store_events(engine, events[start : start + 1000], utcnow())


def inbound_by_chat(engine: Engine) -> dict[str, list[str]]:
    """Each chat's stored inbound texts, in the order they were stored."""
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for address, body in conn.execute(
            select(Message.address, Message.body)
            .where(Message.direction == Direction.inbound)
            .order_by(Message.id)  # type: ignore[arg-type]
        ):
            found.setdefault(address, []).append(body)
    return found


def replies_by_chat(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(
            address
            for (address,) in conn.execute(
                select(Message.address).where(Message.direction == Direction.outbound)
            )
        )


def queue_messages(engine: Engine, count: int) -> None:
    """`count` messages queued for as many Telegram chats, texts "reminder 0", "reminder 1"…"""
    now = utcnow()
    rows = [
        {"direction": Direction.outbound, "channel": "telegram", "address": str(FIRST_CHAT + n),
         "kind": "text", "body": f"reminder {n}", "status": MessageStatus.queued, "attempts": 0,
         "next_attempt_at": now, "created_at": now}
        for n in range(count)
    ]  # fmt: skip
    with engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(Message), rows[start : start + 5000])


def start_worker(
    settings: Settings, fake: FakeBotApi, **env_overrides: str
) -> subprocess.Popen[bytes]:
    """`jolserik worker` in its own process against the test database and the fake."""
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        # The fake answers at once; the real limits are the dispatch benchmark's business.
        "TELEGRAM_MESSAGES_PER_SECOND": "5000",
        "TELEGRAM_PER_CHAT_PER_SECOND": "100",
        "OUTBOX_BATCH_SIZE": str(BATCH),
        "OUTBOX_LEASE_SECONDS": "5",
        "OUTBOX_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
        **env_overrides,
    }
    # Our own entry point from this virtualenv, with test settings.
    return subprocess.Popen(  # noqa: S603
        [JOLSERIK, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def sent_texts(fake: FakeBotApi) -> Counter[str]:
    return Counter(str(call.params.get("text")) for call in fake.calls_to("sendMessage"))


def wait(check, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def unsent(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(Message)
                .where(Message.status != MessageStatus.sent)  # type: ignore[arg-type]
            ).scalar_one()
        )


def pending_events(engine: Engine) -> int:
    """Stored inbound events not yet processed. Read on the driver's connection, outside
    the engine's transactions: on SQLite each of those starts with BEGIN IMMEDIATE (the
    write lock), and SQLite's busy handler gives a waiting process no turn while a worker
    runs batch after batch, so a poll through the engine could wait until the work was
    all done."""
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT count(*) FROM inbound_event WHERE processed_at IS NULL")
        return int(cursor.fetchone()[0])
    finally:
        conn.close()


def listening_backends(engine: Engine) -> list[int]:
    """The PostgreSQL backends of this database whose last statement was a LISTEN: the
    wake-up listeners of running workers (bot/core/wakeups.py)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                )
            ).scalars()
        )


def sqlite_pass_only(engine: Engine) -> None:
    """The dispatcher's behaviour here does not depend on the engine; run it once."""
    import pytest

    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("engine-independent: runs in the SQLite pass")
