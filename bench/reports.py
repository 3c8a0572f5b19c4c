"""Time the programme report (GET /reports/summary) at scale: N people in 17 regions, 12
weeks of weekly check-ins each, an escalation for every 5th person, a referral for every
4th, an appointment for every 2nd. Prints a table and writes bench/results/reports.json.

    .venv/bin/python -m bench.reports [--people 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

import bot.models  # noqa: F401
from bench.back_office import CASELOAD, latency
from bench.results_file import save
from bench.sweeps import reset
from bot.core.clock import utcnow
from bot.core.db import make_engine
from bot.models import (
    Appointment,
    CheckIn,
    Escalation,
    Organisation,
    Person,
    Referral,
    User,
)
from bot.services.reports.summary import ReportScope, build_summary

REGIONS = ("Karaganda", "Astana", "Almaty", "Shymkent", "Pavlodar", "Kostanay", "Aktobe",
           "Atyrau", "Turkistan", "Jambyl", "Abai", "Akmola", "Kyzylorda", "Mangystau",
           "Ulytau", "Jetisu", "Almaty Region")  # fmt: skip
WEEKS = 12
RESULTS = Path(__file__).parent / "results" / "reports.json"
BATCH = 5000


def _insert(conn, model, rows) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(model), rows[start : start + BATCH])


def seed(engine, people: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    now = utcnow()
    officers = max(1, people // CASELOAD)
    user = {"password_hash": "x", "full_name": "", "is_active": True, "language": "en",
            "timezone": "Asia/Almaty", "alert_email": False, "alert_telegram": False,
            "totp_recovery_hashes": [], "created_at": now}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [{"email": "admin@bench.kz", "role": "admin", **user}]
            + [{"email": f"o{n}@bench.kz", "role": "officer", **user} for n in range(officers)],
        )
        ids = [r[0] for r in conn.execute(text('SELECT id FROM "user" ORDER BY id'))]
        admin_id, officer_ids = ids[0], ids[1:]
        conn.execute(insert(Organisation), [{"name": "Umit", "services": ["employment"],
            "regions": [], "languages": [], "is_active": True, "created_at": now,
            "updated_at": now}])  # fmt: skip
        org_id = conn.execute(text("SELECT id FROM organisation")).scalar_one()
        _insert(
            conn,
            Person,
            [
                {"display_name": f"P{n}", "language": "ru", "timezone": "Asia/Almaty",
                 "supervision_level": "medium", "status": "active", "consent_given": True,
                 "consent_at": now - timedelta(days=n % 120), "region": REGIONS[n % len(REGIONS)],
                 "officer_id": officer_ids[n // CASELOAD % len(officer_ids)],
                 "created_at": now, "updated_at": now}
                for n in range(people)
            ],
        )  # fmt: skip
        person_ids = [r[0] for r in conn.execute(text("SELECT id FROM person ORDER BY id"))]
        checkins = []
        for i, pid in enumerate(person_ids):
            for week in range(WEEKS):
                status = ("answered", "answered", "missed", "sent")[(i + week) % 4]
                checkins.append({"person_id": pid, "status": status,
                                 "due_at": now - timedelta(weeks=week, hours=i % 100),
                                 "created_at": now})  # fmt: skip
            if len(checkins) >= 50_000:
                _insert(conn, CheckIn, checkins)
                checkins = []
        _insert(conn, CheckIn, checkins)
        _insert(
            conn,
            Escalation,
            [
                {"person_id": pid, "reason": ("crisis", "missed_checkins", "low_mood")[i % 3],
                 "severity": ("critical", "medium", "low")[i % 3], "severity_rank": i % 4,
                 "status": "acknowledged", "is_resolved": False, "detail": "",
                 "created_at": now - timedelta(days=i % 80),
                 "ack_deadline": now - timedelta(days=i % 80) + timedelta(hours=4),
                 "acknowledged_at": now - timedelta(days=i % 80) + timedelta(minutes=i % 600)}
                for i, pid in enumerate(person_ids[::5])
            ],
        )  # fmt: skip
        _insert(
            conn,
            Referral,
            [
                {"person_id": pid, "organisation_id": org_id, "kind": "employment",
                 "status": ("sent", "accepted", "completed", "declined")[i % 4],
                 "shared_fields": {}, "created_at": now - timedelta(days=i % 80),
                 "sent_at": now - timedelta(days=i % 80),
                 "accepted_at": now - timedelta(days=i % 80) + timedelta(days=i % 5)
                 if i % 4 in (1, 2) else None,
                 "helpful_rating": 1 + i % 5 if i % 4 == 2 else None, "updated_at": now}
                for i, pid in enumerate(person_ids[::4])
            ],
        )  # fmt: skip
        _insert(
            conn,
            Appointment,
            [
                {"person_id": pid, "kind": "meeting", "place": "",
                 "starts_at": now - timedelta(days=i % 80),
                 "status": ("attended", "missed")[i % 2], "created_at": now}
                for i, pid in enumerate(person_ids[::2])
            ],
        )  # fmt: skip
    return officer_ids[0], admin_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    reset(url)
    engine = make_engine(url)
    backend = engine.url.get_backend_name()
    started = time.perf_counter()
    officer_id, admin_id = seed(engine, args.people)
    # What autovacuum would have done by the time anyone asks for a report: statistics,
    # and on PostgreSQL the visibility map that lets index-only scans skip the table.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if backend == "sqlite" else "VACUUM ANALYZE"))
    seeded = time.perf_counter() - started
    now = utcnow()
    results: dict[str, object] = {"backend": backend, "people": args.people}
    with Session(engine) as session:
        officer, admin = session.get(User, officer_id), session.get(User, admin_id)
        assert officer is not None and admin is not None
        quarter = now - timedelta(weeks=WEEKS)

        def report(user: User, region: str | None = None) -> None:
            build_summary(session, ReportScope(start=quarter, end=now, region=region, user=user))

        results["report, admin, whole programme, 12 weeks"] = latency(lambda: report(admin), 5)
        results["report, admin, one region, 12 weeks"] = latency(
            lambda: report(admin, "Karaganda"), 5
        )
        results["report, officer (60 cases), 12 weeks"] = latency(lambda: report(officer), 20)
    engine.dispose()
    print(
        f"{backend}, {args.people:,} people, {args.people * WEEKS:,} check-ins "
        f"(seeded in {seeded:.0f} s)"
    )
    for name, value in results.items():
        if isinstance(value, dict):
            print(
                f"  {name:<45} median {value['median_ms']:8.1f} ms   p95 {value['p95_ms']:8.1f} ms"
            )
    save(RESULTS, backend, results)


if __name__ == "__main__":
    main()
