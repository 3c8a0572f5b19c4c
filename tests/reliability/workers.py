"""Workers in their own processes for the reliability tests: `jolserik worker` against the
test database and the fake Bot API, with a queue of messages to send."""

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
from bot.models import Message
from bot.models.enums import Direction, MessageStatus
from tests.fakes.telegram_api import TOKEN, FakeBotApi

BATCH = 100
FIRST_CHAT = 990_000_000
JOLSERIK = str(Path(sys.executable).parent / "jolserik")


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


def sqlite_pass_only(engine: Engine) -> None:
    """The dispatcher's behaviour here does not depend on the engine; run it once."""
    import pytest

    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("engine-independent: runs in the SQLite pass")
