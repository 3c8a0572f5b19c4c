"""The inbound processor end to end: stored Telegram updates through the flows until each
reply is queued.

1. Throughput: N updates (check-in answers, button presses, free text from 1,000 enrolled
   people) stored at once, then one processor takes them in batches until none is left:
   updates fully processed per second.
2. Latency: `jolserik serve` with its worker (the processor embedded, woken by each
   store; `--workers N`: `serve --no-worker` beside N `jolserik worker` processes, the
   PostgreSQL deployment) under a steady 200 updates/s from 32 clients; for every update,
   the time from its arrival at the webhook to the commit of its processing (and so of
   its queued reply), from the events' own timestamps, with p50/p95/p99.

    .venv/bin/python -m bench.processing [--updates 20000] [--seconds 10] [--workers N]
        [--pin] [--database-url URL]

Prints a table and writes bench/results/processing.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.inbound import free_port, load, pinning, prepare, start
from bench.results_file import save
from bench.worker_process import start_worker, stop_worker

RESULTS = Path(__file__).parent / "results" / "processing.json"


def throughput(url: str, updates: int, batch_size: int) -> dict[str, Any]:
    import json

    from telegram import Update

    from bench.inbound import body
    from bot.core.clock import utcnow
    from bot.core.db import make_engine
    from bot.core.settings import load_settings
    from bot.intake.events import telegram_event
    from bot.intake.processor import process_pending
    from bot.intake.store import store_events

    engine = make_engine(url)
    settings = load_settings(
        _env_file=None, database_url=url, quiet_hours_start=0, quiet_hours_end=0
    )
    events = []
    for n in range(updates):
        data = json.loads(body(n))
        event = telegram_event(data, Update.de_json(data, None))
        assert event is not None
        events.append(event)
    for start_at in range(0, updates, 1000):
        store_events(engine, events[start_at : start_at + 1000], utcnow())
    started = time.perf_counter()
    processed = failed = 0
    while True:
        batch = process_pending(engine, settings, limit=batch_size)
        processed += batch.events
        failed += batch.failed
        if batch.events == 0:
            break
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {
        "updates": updates,
        "batch_size": batch_size,
        "seconds": elapsed,
        "per_second": processed / elapsed,
        "ms_per_update": elapsed * 1000 / max(processed, 1),
        "failed": failed,
    }


def latency(url: str, seconds: float, rate: float, workers: int, pin: bool) -> dict[str, Any]:
    from sqlalchemy import select

    from bot.core.db import make_engine
    from bot.models import InboundEvent
    from tests.fakes.telegram_api import TOKEN, FakeBotApi

    server_cpus, load_cpus = pinning(pin)
    fake = FakeBotApi().start()
    port = free_port()
    server = start("worker" if workers == 0 else "app", port, url, fake.base_url, server_cpus)
    provider = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
    processes = [start_worker(url, provider) for _ in range(workers)]
    time.sleep(3 if workers else 0)  # the workers start
    try:
        client = load(port, 32, seconds, rate, first=50_000_000, cpus=load_cpus)
        engine = make_engine(url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the processor finishes what was stored
            with engine.connect() as conn:
                rows = conn.execute(
                    select(InboundEvent.received_at, InboundEvent.processed_at).where(
                        InboundEvent.provider_event_id.like("u:5%")  # type: ignore[attr-defined]
                    )
                ).all()
            if rows and all(processed for _, processed in rows):
                break
            time.sleep(0.5)
        engine.dispose()
    finally:
        for process in processes:
            stop_worker(process)
        server.terminate()
        server.wait(timeout=20)
        fake.stop()
    waits = sorted((p - r).total_seconds() * 1000 for r, p in rows if p is not None)

    def pct(q: float) -> float:
        return waits[min(len(waits) - 1, int(len(waits) * q))] if waits else float("nan")

    return {
        "rate": rate,
        "workers": workers,
        "webhook": client,
        "events": len(rows),
        "unprocessed": sum(1 for _, p in rows if p is None),
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--pin",
        action="store_true",
        help="keep serve on the first CPU and the load generator on the others",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    backend = url.split(":")[0].split("+")[0]
    prepare(url)
    measured = throughput(url, args.updates, args.batch_size)
    print(f"{backend}: one processor, {measured['updates']:,} stored updates")
    print(
        f"  {measured['per_second']:.0f} updates/s fully processed"
        f" ({measured['ms_per_update']:.2f} ms each, batches of {args.batch_size},"
        f" {measured['failed']} failed)"
    )
    prepare(url)
    waited = latency(url, args.seconds, args.rate, args.workers, args.pin)
    hook = waited["webhook"]
    where = f"{args.workers} worker processes" if args.workers else "the worker in serve"
    where += ", serve and the load on CPUs of their own" if args.pin else ""
    print(
        f"  at {args.rate:.0f} updates/s, {where}: webhook p99 {hook['p99_ms']:.1f} ms"
        f" ({hook['errors']} errors); arrival to processed p50 {waited['p50_ms']:.1f},"
        f" p95 {waited['p95_ms']:.1f}, p99 {waited['p99_ms']:.1f} ms"
        f" ({waited['events']} events, {waited['unprocessed']} unprocessed)"
    )
    key = f"{backend}-{args.workers}-workers" if args.workers else backend
    key += "-pinned" if args.pin else ""
    save(RESULTS, key, {"throughput": measured, "latency": waited})


if __name__ == "__main__":
    main()
