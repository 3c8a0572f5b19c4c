"""Time the officers' back office at scale: the escalation queue, GET /today, and the
overdue sweep, with N people (60 per officer) and an open escalation for every 4th person.
Prints a table and writes bench/results/back_office.json. See bench/README.md."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

import bot.models  # noqa: F401
from bench.results_file import save
from bench.sweeps import reset
from bot.core.clock import utcnow
from bot.core.db import make_engine
from bot.core.settings import load_settings
from bot.models import Escalation, Message, Person, User
from bot.scheduling.escalations import mark_overdue_escalations
from bot.services.escalations import Filters, list_queue
from bot.services.persons import list_caseload
from bot.services.timeline import read_timeline
from bot.services.today import read_today

CASELOAD = 60
SEVERITIES = (("critical", 0), ("high", 1), ("medium", 2), ("low", 3))
RESULTS = Path(__file__).parent / "results" / "back_office.json"


def seed(engine, people: int) -> tuple[int, int]:
    """Officers with 60 people each, a supervisor per 10 officers; returns (officer, admin)."""
    now = utcnow()
    officers = max(1, people // CASELOAD)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {"email": "admin@bench.kz", "password_hash": "x", "role": "admin",
                 "full_name": "", "is_active": True, "language": "en", "timezone": "Asia/Almaty",
                 "alert_email": False, "alert_telegram": False, "totp_recovery_hashes": [],
                 "created_at": now},
            ]
            + [
                {"email": f"o{n}@bench.kz", "password_hash": "x", "role": "officer",
                 "full_name": "", "is_active": True, "language": "en", "timezone": "Asia/Almaty",
                 "alert_email": False, "alert_telegram": False, "totp_recovery_hashes": [],
                 "created_at": now}
                for n in range(officers)
            ],
        )  # fmt: skip
        user_ids = [r[0] for r in conn.execute(text('SELECT id FROM "user" ORDER BY id'))]
        admin_id, officer_ids = user_ids[0], user_ids[1:]
        batch = 5000
        for start in range(0, people, batch):
            conn.execute(
                insert(Person),
                [
                    {"display_name": f"P{n}", "language": "ru", "timezone": "Asia/Almaty",
                     "supervision_level": "medium", "status": "active", "consent_given": True,
                     "officer_id": officer_ids[n // CASELOAD % len(officer_ids)],
                     "missed_checkins_in_row": int(n % 7 == 0),
                     "last_inbound_at": now - timedelta(days=n % 30),
                     "created_at": now, "updated_at": now}
                    for n in range(start, min(start + batch, people))
                ],
            )  # fmt: skip
        person_ids = [r[0] for r in conn.execute(text("SELECT id FROM person ORDER BY id"))]
        rows = []
        for i, pid in enumerate(person_ids[::4]):
            severity, rank = SEVERITIES[i % 4]
            rows.append(
                {"person_id": pid, "reason": "low_mood", "severity": severity,
                 "severity_rank": rank, "status": "open", "is_resolved": False, "detail": "",
                 "ack_deadline": now + timedelta(minutes=(i % 200) - 100),
                 "officer_alerted_at": now, "created_at": now}
            )  # fmt: skip
        for start in range(0, len(rows), batch):
            conn.execute(insert(Escalation), rows[start : start + batch])
    return officer_ids[0], admin_id


def seed_messages(engine, count: int) -> int | None:  # type: ignore[no-untyped-def]
    """`count` messages spread evenly over every person, oldest first; returns a person."""
    if count <= 0:
        return None
    now = utcnow()
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM person ORDER BY id"))]
        batch = 5000
        for start in range(0, count, batch):
            conn.execute(
                insert(Message),
                [
                    {"direction": "in" if n % 2 else "out", "channel": "telegram",
                     "address": str(ids[n % len(ids)]), "person_id": ids[n % len(ids)],
                     "kind": "text", "body": "сообщение", "status": "delivered",
                     "attempts": 0, "created_at": now - timedelta(seconds=count - n)}
                    for n in range(start, min(start + batch, count))
                ],
            )  # fmt: skip
    return ids[0]


def latency(fn, runs: int = 50) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[int(runs * 0.95) - 1],
        "p99_ms": times[max(0, int(runs * 0.99) - 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--messages", type=int, default=0, help="messages spread over the people (5000000)"
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    reset(url)
    engine = make_engine(url)
    settings = load_settings(_env_file=None, database_url=url)
    backend = engine.url.get_backend_name()
    officer_id, admin_id = seed(engine, args.people)
    busiest = seed_messages(engine, args.messages)
    if backend == "postgresql":
        # What autovacuum does soon after a load this size: without fresh statistics the
        # planner walks every escalation for an admin's first page (0.5 s instead of 20 ms).
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    now = utcnow()
    results: dict[str, object] = {"backend": backend, "people": args.people}
    with Session(engine) as session:
        officer, admin = session.get(User, officer_id), session.get(User, admin_id)
        assert officer is not None and admin is not None

        def queue(user: User) -> None:
            # What GET /escalations does: one page, with the alert state of its items.
            list_queue(session, user, filters=Filters())

        results["queue, officer (60 cases), first page"] = latency(lambda: queue(officer))
        results["queue, admin (all), first page"] = latency(lambda: queue(admin))
        results["today, officer (60 cases)"] = latency(lambda: read_today(session, officer, now))
        results["today, admin (all)"] = latency(lambda: read_today(session, admin, now))
        results["caseload, officer, first page"] = latency(
            lambda: list_caseload(session, officer, limit=50)
        )
        if busiest is not None:
            results["timeline, a person's newest 100"] = latency(
                lambda: read_timeline(session, busiest, limit=100)
            )
    started = time.perf_counter()
    summary = mark_overdue_escalations(engine, settings, now)
    elapsed = time.perf_counter() - started
    results["overdue sweep"] = {
        "escalations": summary.processed,
        "per_second": summary.processed / elapsed,
    }
    engine.dispose()
    print(
        f"{backend}, {args.people:,} people, {args.people // 4:,} open escalations,"
        f" {args.messages:,} messages"
    )
    for name, value in results.items():
        if isinstance(value, dict) and "median_ms" in value:
            print(
                f"  {name:<40} median {value['median_ms']:7.2f} ms   p95 {value['p95_ms']:7.2f} ms"
                f"   p99 {value['p99_ms']:7.2f} ms"
            )
    rate = summary.processed / elapsed
    print(f"  {'overdue sweep':<40} {summary.processed:,} in {elapsed:.2f} s ({rate:,.0f} /s)")
    save(RESULTS, backend, results)


if __name__ == "__main__":
    main()
