"""Time the staff panel's pages, rendered end to end through the app (session cookie,
CSRF, templates, audit events), for one officer with a caseload of N people (5,000 by
default): an open escalation for every 4th person, a referral for every 10th, 20 messages
each for the first 200 and 2,000 for the case opened. Prints a table and writes
bench/results/panel.json.

    .venv/bin/python -m bench.panel [--people 5000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

import bot.models  # noqa: F401
from bench.back_office import latency
from bench.results_file import save
from bench.sweeps import reset
from bot.app import create_app
from bot.core.clock import utcnow
from bot.core.db import make_engine, session_scope
from bot.core.settings import load_settings
from bot.models import Escalation, Message, Organisation, Person, Referral
from bot.services.users import create_user

RESULTS = Path(__file__).parent / "results" / "panel.json"
PASSWORD = "bench password for the panel"  # noqa: S105  (a throwaway bench account)
BATCH = 5000


def seed(engine, people: int) -> int:  # type: ignore[no-untyped-def]
    """One officer with `people` cases; returns the id of the case with the long chat."""
    now = utcnow()
    with session_scope(engine) as session:
        officer = create_user(session, email="officer@bench.kz", password=PASSWORD, role="officer")
        officer.language = "en"
        session.flush()
        officer_id = officer.id
        session.add(Organisation(name="Bench partner", services=["employment"]))
    with engine.begin() as conn:
        for start in range(0, people, BATCH):
            conn.execute(
                insert(Person),
                [
                    {"display_name": f"Person {n}", "language": "ru", "timezone": "Asia/Almaty",
                     "supervision_level": "medium", "status": "active", "consent_given": True,
                     "officer_id": officer_id, "missed_checkins_in_row": n % 3,
                     "last_inbound_at": now - timedelta(days=n % 30),
                     "created_at": now, "updated_at": now}
                    for n in range(start, min(start + BATCH, people))
                ],
            )  # fmt: skip
        ids = [r[0] for r in conn.execute(text("SELECT id FROM person ORDER BY id"))]
        org = conn.execute(text("SELECT id FROM organisation")).scalar_one()
        conn.execute(
            insert(Escalation),
            [
                {"person_id": pid, "reason": "low_mood", "severity": "high", "severity_rank": 1,
                 "status": "open", "is_resolved": False, "detail": "", "created_at": now,
                 "ack_deadline": now + timedelta(minutes=(i % 300) - 60)}
                for i, pid in enumerate(ids[::4])
            ],
        )  # fmt: skip
        conn.execute(
            insert(Referral),
            [
                {"person_id": pid, "organisation_id": org, "kind": "employment",
                 "status": ("sent", "accepted", "completed")[i % 3], "shared_fields": {},
                 "created_at": now, "updated_at": now}
                for i, pid in enumerate(ids[::10])
            ],
        )  # fmt: skip
        chats = [(ids[0], 2000)] + [(pid, 20) for pid in ids[1:200]]
        rows = [
            {"direction": "inbound" if k % 2 else "outbound", "channel": "simulator",
             "address": f"a{pid}", "person_id": pid, "kind": "text", "body": "сообщение " * 8,
             "status": "received" if k % 2 else "delivered", "attempts": 0,
             "created_at": now - timedelta(minutes=count - k)}
            for pid, count in chats
            for k in range(count)
        ]  # fmt: skip
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(Message), rows[start : start + BATCH])
    return ids[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    reset(url)
    engine = make_engine(url)
    case_id = seed(engine, args.people)
    settings = load_settings(_env_file=None, database_url=url, environment="development")
    backend = engine.url.get_backend_name()
    results: dict[str, object] = {"backend": backend, "people": args.people}
    with TestClient(create_app(settings)) as client:
        form = client.get("/panel/login").text
        token = form.split('name="csrf_token" value="')[1].split('"')[0]
        signed = client.post(
            "/panel/login",
            data={"email": "officer@bench.kz", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        pages = {
            "Today": "/panel/",
            "Cases, first page": "/panel/cases",
            "Cases, a page in the middle": f"/panel/cases?after={case_id + args.people // 2}",
            "Case (2,000 messages)": f"/panel/cases/{case_id}",
            "Case, poll with nothing new": f"/panel/cases/{case_id}/messages?after=999999999",
            "Escalations": "/panel/escalations",
            "Referrals board": "/panel/referrals",
            "Figures (12 weeks)": "/panel/figures",
        }
        for name, path in pages.items():
            assert client.get(path).status_code == 200, path

            def get(path: str = path) -> None:
                client.get(path)

            results[name] = latency(get, runs=args.runs)
    engine.dispose()
    print(f"{backend}, one officer with {args.people:,} cases, pages through the app")
    for name, value in results.items():
        if isinstance(value, dict):
            print(
                f"  {name:<36} median {value['median_ms']:7.1f} ms   p95 {value['p95_ms']:7.1f} ms"
            )
    save(RESULTS, backend, results)


if __name__ == "__main__":
    main()
