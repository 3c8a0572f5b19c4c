"""Time the scheduled path and the inbound pipeline for N people. See bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, make_url, text

import bot.models  # noqa: F401
from bench.results_file import save
from bot.channels.simulator import SimulatorChannel
from bot.core.clock import utcnow
from bot.core.db import is_sqlite, make_engine
from bot.core.migrate import upgrade
from bot.core.settings import load_settings
from bot.delivery.outbox import Dispatcher
from bot.models import ChannelIdentity, Person
from bot.pipeline.inbound import InboundMessage, process_inbound
from bot.scheduling.checkins import (
    mark_missed_checkins,
    schedule_cadence_checkins,
    send_due_checkins,
)

RESULTS = Path(__file__).parent / "results" / "sweeps.json"


def reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if is_sqlite(engine):
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{engine.url.database}{suffix}").unlink(missing_ok=True)
        else:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def seed(engine, people: int) -> None:
    now = utcnow()
    batch = 5000
    with engine.begin() as conn:
        for start in range(0, people, batch):
            rows = [
                {
                    "display_name": f"P{n}",
                    "language": ("ru", "kk", "en")[n % 3],
                    "timezone": "Asia/Almaty",
                    "supervision_level": "medium",
                    "status": "active",
                    "consent_given": True,
                    "next_checkin_at": now - timedelta(minutes=1),
                    "missed_checkins_in_row": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(start, min(start + batch, people))
            ]
            conn.execute(insert(Person), rows)
        ids = [row[0] for row in conn.execute(text("SELECT id FROM person ORDER BY id"))]
        for start in range(0, len(ids), batch):
            conn.execute(
                insert(ChannelIdentity),
                [
                    {
                        "person_id": pid,
                        "channel": "simulator",
                        "address": f"bench-{pid}",
                        "blocked": False,
                        "opted_out": False,
                        "last_seen_at": now,
                        "created_at": now,
                    }
                    for pid in ids[start : start + batch]
                ],
            )


FIGURES: dict[str, dict[str, float]] = {}


def _sweep_in_child(args: tuple[str, str, float]) -> tuple[float, float]:
    """One sweep in a fresh process: its time, and the process's peak resident memory
    (MiB), which includes the interpreter and the imports (about the same at any N)."""
    url, which, at = args
    engine = make_engine(url)
    settings = load_settings(
        _env_file=None, database_url=url, quiet_hours_start=0, quiet_hours_end=0
    )
    sweep = send_due_checkins if which == "due" else mark_missed_checkins
    started = time.perf_counter()
    sweep(engine, settings, datetime.fromtimestamp(at, UTC))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, _peak_rss_mib()


def _peak_rss_mib() -> float:
    """This process's own peak resident memory. Not `ru_maxrss`: on Linux it carries the
    parent's size at the fork into the spawned child (the seeding parent holds a million
    ids, so every child "peaked" at the parent's 124 MiB); VmHWM starts afresh with the
    child's own program."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sweep_with_memory(label: str, url: str, which: str, at: datetime, people: int) -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        elapsed, peak = pool.apply(_sweep_in_child, ((url, which, at.timestamp()),))
    print(f"  {label:<28} {elapsed:8.2f} s  {people / elapsed:10,.0f} /s  peak RSS {peak:7.1f} MiB")
    FIGURES[label] = {"seconds": elapsed, "per_second": people / elapsed, "peak_rss_mib": peak}


def timed(label: str, people: int, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<28} {elapsed:8.2f} s  {people / elapsed:10,.0f} /s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--sweeps-only",
        action="store_true",
        help="the due and missed check-in sweeps, each in its own process with its peak memory",
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    reset(url)
    engine = make_engine(url)
    # Quiet hours off: the bench measures throughput whatever the hour it runs at.
    settings = load_settings(
        _env_file=None, database_url=url, quiet_hours_start=0, quiet_hours_end=0
    )
    n = args.people
    print(f"{engine.url.get_backend_name()}, {n:,} people")
    timed("seed", n, lambda: seed(engine, n))
    now = utcnow()
    timed("cadence sweep", n, lambda: schedule_cadence_checkins(engine, settings, now))
    if args.sweeps_only:
        engine.dispose()
        sweep_with_memory("due check-ins sweep", url, "due", now, n)
        later = now + timedelta(hours=25)
        sweep_with_memory("missed check-ins sweep", url, "missed", later, n)
        save(RESULTS, f"{make_url(url).get_backend_name()}-{n}", FIGURES)
        return
    timed("due check-ins sweep", n, lambda: send_due_checkins(engine, settings, now))
    dispatcher = Dispatcher(engine, {"simulator": SimulatorChannel()}, batch_size=500)

    async def drain() -> int:
        total = 0
        while (summary := await dispatcher.run_once()).claimed:
            total += summary.sent
        return total

    sent = timed("outbox dispatch", n, lambda: asyncio.run(drain()))
    assert sent == n, sent
    later = now + timedelta(hours=25)
    timed("missed check-ins sweep", n, lambda: mark_missed_checkins(engine, settings, later))
    inbound_n = min(n, 5000)
    timed(
        "inbound pipeline (seq.)",
        inbound_n,
        lambda: [
            process_inbound(
                engine,
                InboundMessage("simulator", f"bench-{i + 1}", f"b-{i}", text="help"),
                settings=settings,
            )
            for i in range(inbound_n)
        ],
    )
    engine.dispose()


if __name__ == "__main__":
    main()
