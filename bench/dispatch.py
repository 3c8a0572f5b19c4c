"""The outbox against the providers' limits, dispatched by `jolserik worker` at the
default pacing. Reports the rate achieved against the limit and the 429s provoked.

- Telegram: N queued messages (50,000 by default; a tenth of them to 50 busy chats) at 30
  a second and 1 a second per chat, to the fake Bot API enforcing the same limits with
  429 `retry_after`.
- SMS (`--channel sms`): N queued texts in Russian (UCS-2; every fifth long enough for
  two segments) from one long code at one segment a second, to the fake Twilio API
  refusing (429, code 20429) anything beyond the sender's throughput.

    .venv/bin/python -m bench.dispatch [--channel telegram|sms] [--messages N] [--database-url URL]

At 30 a second, 50,000 messages take about 28 minutes; `--messages 3000` takes 100 s.
SMS at one segment a second: 150 texts (180 segments) take 3 minutes.
Writes bench/results/dispatch.json (SMS under "<engine>-sms").
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

import bot.models  # noqa: F401
from bench.results_file import save
from bench.sweeps import reset
from bench.worker_process import start_worker, stop_worker
from bot.core.clock import utcnow
from bot.core.db import make_engine
from bot.models import Message
from bot.models.enums import Direction, MessageStatus

RESULTS = Path(__file__).parent / "results" / "dispatch.json"
LIMIT = 30.0
SMS_LIMIT = 1.0
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


LONG_TEXT = "Напоминаем: завтра в 10:00 встреча по адресу, который вам прислали. Ответьте 1."


def queue_sms(engine, count: int) -> int:  # type: ignore[no-untyped-def]
    """`count` texts to as many phones; every fifth is two segments. Returns the segments."""
    now = utcnow()
    rows = [
        {"direction": Direction.outbound, "channel": "sms", "address": f"+7701{n:07d}",
         "kind": "text", "body": LONG_TEXT if n % 5 == 0 else f"Напоминание {n}",
         "status": MessageStatus.queued, "attempts": 0, "next_attempt_at": now,
         "created_at": now}
        for n in range(count)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Message), rows)
    return sum(2 if n % 5 == 0 else 1 for n in range(count))


def send_everything(url: str, engine, provider_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """`jolserik worker` against the fake provider until no message is left unsent."""
    from tests.reliability.workers import unsent

    worker = start_worker(url, provider_env)
    try:
        while unsent(engine):
            time.sleep(1)
    finally:
        stop_worker(worker)


def sms(url: str, engine, count: int) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.twilio_api import (
        ACCOUNT_SID,
        AUTH_TOKEN,
        FROM_NUMBER,
        FakeTwilioApi,
        segments,
    )

    total_segments = queue_sms(engine, count)
    fake = FakeTwilioApi()
    fake.start()
    fake.enforce_throughput(SMS_LIMIT)
    try:
        send_everything(
            url,
            engine,
            {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
             "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": fake.url},
        )  # fmt: skip
    finally:
        fake.stop()
    accepted = sorted(fake.sent(), key=lambda call: call.at)
    elapsed = accepted[-1].at - accepted[0].at if len(accepted) > 1 else float("nan")
    # The segments sent before the last message began, over the time to its beginning.
    rate = (total_segments - segments(accepted[-1].form["Body"])) / elapsed
    backend = f"{engine.url.get_backend_name()}-sms"
    results = {
        "messages": count,
        "segments": total_segments,
        "seconds": elapsed,
        "segments_per_second": rate,
        "share_of_limit": rate / SMS_LIMIT,
        "refused_429": fake.refused,
    }
    print(
        f"{backend}: {count:,} texts ({total_segments} segments) in {elapsed:,.0f} s,"
        f" {rate:.3f} segments/s ({rate / SMS_LIMIT:.1%} of {SMS_LIMIT:g}/s),"
        f" 429s provoked: {fake.refused}"
    )
    save(RESULTS, backend, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channel", choices=("telegram", "sms"), default="telegram")
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    reset(url)
    engine = make_engine(url)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if args.channel == "sms":
        sms(url, engine, args.messages or 150)
        engine.dispose()
        return
    args.messages = args.messages or 50_000
    queue(engine, args.messages)
    from tests.fakes.telegram_api import TOKEN, FakeBotApi

    fake = FakeBotApi().start()
    fake.enforce_limits(overall=LIMIT, per_chat=1)
    try:
        send_everything(
            url, engine, {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
        )
    finally:
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
