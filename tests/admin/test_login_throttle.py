"""The login lock: per account and per client address, with the hash checked outside any
transaction and a cap on concurrent hash work."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from admin.auth import BAD_CREDENTIALS, LOCKED
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.security import _hash_slots
from bot.core.settings import Settings
from bot.models import AuditEvent, LoginAttempt
from tests.admin.conftest import MakeUser
from tests.admin.helpers import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
WRONG = "not the password at all"


def _login(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    return client.post(TOKEN_URL, data={"username": email, "password": password})


def _age_attempts(engine: Engine, minutes: int) -> None:
    with session_scope(engine) as session:
        for attempt in session.exec(select(LoginAttempt)):
            attempt.created_at = attempt.created_at - timedelta(minutes=minutes)
            session.add(attempt)


def test_sixty_wrong_passwords_then_the_right_one_is_locked(
    client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    make_user("officer@example.org")

    answers = [_login(client, "officer@example.org", WRONG).status_code for _ in range(60)]
    right = _login(client, "officer@example.org")

    assert answers[: settings.login_max_failures] == [401] * settings.login_max_failures
    assert set(answers[settings.login_max_failures :]) == {429}
    assert right.status_code == 429
    assert right.json() == {"detail": LOCKED}
    retry_after = int(right.headers["retry-after"])
    assert 0 < retry_after <= settings.login_lock_minutes * 60
    assert "access_token" not in right.text


def test_the_lock_ends_after_the_lock_time(
    client: TestClient, make_user: MakeUser, engine: Engine, settings: Settings
) -> None:
    make_user("officer@example.org")
    for _ in range(settings.login_max_failures):
        _login(client, "officer@example.org", WRONG)
    assert _login(client, "officer@example.org").status_code == 429

    _age_attempts(engine, settings.login_lock_minutes - 1)
    assert _login(client, "officer@example.org").status_code == 429
    _age_attempts(engine, 2)
    assert _login(client, "officer@example.org").status_code == 200


def test_failures_spread_beyond_the_window_do_not_lock(
    client: TestClient, make_user: MakeUser, engine: Engine, settings: Settings
) -> None:
    make_user("officer@example.org")
    for _ in range(settings.login_max_failures - 1):
        _login(client, "officer@example.org", WRONG)
    _age_attempts(engine, settings.login_window_minutes)
    assert _login(client, "officer@example.org", WRONG).status_code == 401
    assert _login(client, "officer@example.org").status_code == 200


def test_failures_are_counted_per_address_across_accounts(
    app: FastAPI, client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    make_user("officer@example.org")
    for number in range(settings.login_max_failures):
        assert _login(client, f"guess{number}@example.org", WRONG).status_code == 401

    assert _login(client, "officer@example.org").status_code == 429
    # The same account from another address is not locked: only that address was guessing.
    elsewhere = TestClient(app, client=("192.0.2.7", 40000))
    assert _login(elsewhere, "officer@example.org").status_code == 200


def test_failures_are_counted_per_account_across_addresses(
    app: FastAPI, client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    make_user("officer@example.org")
    for number in range(settings.login_max_failures):
        guesser = TestClient(app, client=(f"198.51.100.{number + 1}", 40000))
        assert _login(guesser, "officer@example.org", WRONG).status_code == 401

    fresh = TestClient(app, client=("203.0.113.9", 40000))
    assert _login(fresh, "officer@example.org").status_code == 429


def test_an_unknown_email_answers_like_a_wrong_password_and_locks_alike(
    client: TestClient, make_user: MakeUser, settings: Settings, app: FastAPI
) -> None:
    make_user("officer@example.org")
    known = TestClient(app, client=("192.0.2.1", 1))
    unknown = TestClient(app, client=("192.0.2.2", 1))

    known_answers = [_login(known, "officer@example.org", WRONG) for _ in range(6)]
    unknown_answers = [_login(unknown, "nobody@example.org", WRONG) for _ in range(6)]

    assert [r.status_code for r in known_answers] == [r.status_code for r in unknown_answers]
    assert [r.json() for r in known_answers] == [r.json() for r in unknown_answers]
    assert known_answers[0].json() == {"detail": BAD_CREDENTIALS}
    assert {r.headers.get("www-authenticate") for r in known_answers[:5]} == {"Bearer"}


def test_failed_logins_are_audited_without_the_email(
    client: TestClient, make_user: MakeUser, engine: Engine
) -> None:
    user_id = make_user("officer@example.org")
    _login(client, "officer@example.org", WRONG)
    _login(client, "stranger@example.org", WRONG)

    with Session(engine) as session:
        failed = session.exec(
            select(AuditEvent).where(AuditEvent.action == "user.login_failed")
        ).all()
        attempts = session.exec(select(LoginAttempt)).all()
    assert [(e.actor_user_id, e.address) for e in failed] == [
        (user_id, "testclient"),
        (None, "testclient"),
    ]
    stored = repr([e.detail for e in failed]) + repr([a.email_key for a in attempts])
    assert "example.org" not in stored and "officer" not in stored
    assert len({a.email_key for a in attempts}) == 2
    assert all(len(a.email_key) == 64 for a in attempts)


def test_a_success_clears_the_account_count(
    app: FastAPI, client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    make_user("officer@example.org")
    for number in range(settings.login_max_failures - 1):
        guesser = TestClient(app, client=(f"198.51.100.{number + 1}", 1))
        _login(guesser, "officer@example.org", WRONG)
    assert (
        _login(TestClient(app, client=("192.0.2.50", 1)), "officer@example.org").status_code == 200
    )

    late = TestClient(app, client=("192.0.2.51", 1))
    assert _login(late, "officer@example.org", WRONG).status_code == 401
    assert _login(late, "officer@example.org").status_code == 200


def test_the_hash_is_checked_outside_any_transaction_and_capped(
    client: TestClient, make_user: MakeUser, engine: Engine, settings: Settings
) -> None:
    """While every hashing slot is taken, a login waits for one holding no database lock:
    another writer (an inbound message, say) goes through at once."""
    make_user("officer@example.org")
    slots = _hash_slots(settings.password_hash_concurrency)
    for _ in range(settings.password_hash_concurrency):
        slots.acquire()
    answers: list[int] = []
    waiting = [
        threading.Thread(
            target=lambda: answers.append(_login(client, "officer@example.org", WRONG).status_code)
        )
        for _ in range(3)
    ]
    try:
        for thread in waiting:
            thread.start()
        time.sleep(0.5)  # the logins have read the account and wait for a slot
        started = time.monotonic()
        with session_scope(engine) as session:
            session.exec(
                update(LoginAttempt).where(col(LoginAttempt.id) < 0).values(succeeded=True)
            )
            session.add(AuditEvent(action="probe.write", entity_type="probe", actor_kind="system"))
        assert time.monotonic() - started < 2
        assert all(thread.is_alive() for thread in waiting)  # capped: none got a slot
    finally:
        for _ in range(settings.password_hash_concurrency):
            slots.release()
        for thread in waiting:
            thread.join(timeout=30)
    assert answers == [401, 401, 401]


def test_a_disabled_account_with_the_right_password_is_refused_and_counted(
    client: TestClient, make_user: MakeUser, engine: Engine
) -> None:
    make_user("gone@example.org", is_active=False)
    response = _login(client, "gone@example.org")
    assert response.status_code == 401
    with Session(engine) as session:
        [attempt] = session.exec(select(LoginAttempt)).all()
    assert attempt.succeeded is False
    assert utcnow() - attempt.created_at < timedelta(minutes=1)


def test_no_email_or_password_in_the_logs(
    client: TestClient, make_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    make_user("officer@example.org")
    with caplog.at_level(logging.DEBUG):
        for _ in range(6):
            _login(client, "officer@example.org", WRONG)
        _login(client, "nobody@example.org", WRONG)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "login refused" in logged
    assert "example.org" not in logged and WRONG not in logged
