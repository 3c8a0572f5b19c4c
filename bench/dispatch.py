"""The outbox against Telegram's limits: N queued messages (50,000 by default; a tenth of
them to 50 busy chats) dispatched by `jolserik worker` at the default pacing (30 a second,
1 a second per chat) to the fake Bot API enforcing the same limits with 429
`retry_after`. Reports the rate achieved against the limit and the 429s provoked.

    .venv/bin/python -m bench.dispatch [--messages 50000] [--database-url URL]

At 30 a second, 50,000 messages take about 28 minutes; `--messages 3000` takes 100 s.
Writes bench/results/dispatch.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

import bot.models  # noqa: F401
from bench.results_file import save
from bench.sweeps import reset
from bot.core.clock import utcnow
from bot.core.db import make_engine
from bot.models import Message
from bot.models.enums import Direction, MessageStatus

RESULTS = Path(__file__).parent / "results" / "dispatch.json"
LIMIT = 30.0
BUSY_CHATS = 50


def queue(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    rows = [
        {"direction": Direction.outbound, "channel": "telegram",
         "address": str(700_000 + n % BUSY_CHATS if n % 10 == 0 else 800_000_000 + n),
         "kind": "text", "body": f"reminder {n}", "status": MessageStatus.queued,
         "attempts": 0, "next_attempt_at": now, "created_at": now}
        for n in range(count)
    ]  # fmt: skip
    with engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(Message), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    reset(url)
    engine = make_engine(url)
    queue(engine, args.messages)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.fakes.telegram_api import TOKEN, FakeBotApi
    from tests.reliability.workers import unsent

    fake = FakeBotApi().start()
    fake.enforce_limits(overall=LIMIT, per_chat=1)
    env = {**os.environ, "ENVIRONMENT": "development", "DATABASE_URL": url,
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603  (our own entry point)
        [str(Path(sys.executable).parent / "jolserik"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while unsent(engine):
            time.sleep(1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        fake.stop()
    accepted = sorted(
        call.at for call in fake.calls_to("sendMessage")
    )  # every call, refused ones included
    elapsed = accepted[-1] - accepted[0] if len(accepted) > 1 else float("nan")
    rate = (len(accepted) - fake.refused) / elapsed
    backend = engine.url.get_backend_name()
    results = {
        "messages": args.messages,
        "seconds": elapsed,
        "per_second": rate,
        "share_of_limit": rate / LIMIT,
        "refused_429": fake.refused,
        "refused_429_per_chat": fake.refused_for_chat,
    }
    print(
        f"{backend}: {args.messages:,} messages in {elapsed:,.0f} s, {rate:.2f}/s "
        f"({rate / LIMIT:.1%} of {LIMIT:g}/s), 429s provoked: {fake.refused}"
        f" ({fake.refused_for_chat} over one chat's limit)"
    )
    save(RESULTS, backend, results)
    engine.dispose()


if __name__ == "__main__":
    main()
