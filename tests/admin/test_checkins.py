"""POST /persons/{id}/checkins: only for enrolled, consenting people; times are aware, kept UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import as_utc, utcnow
from bot.models import CheckIn
from bot.services.persons import NOT_ENROLLED
from tests.admin.helpers import audit_actions, enroll, update_person


def _schedule(client: TestClient, officer: dict[str, Any], person_id: int, body: Any = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/persons/{person_id}/checkins", json=body, headers=officer["headers"]
    )


@pytest.fixture
def enrolled(client: TestClient, officer: dict[str, Any], engine: Engine) -> dict[str, Any]:
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], status="active", consent_given=True)
    return person


def _stored(engine: Engine, person_id: int) -> list[CheckIn]:
    with Session(engine) as session:
        return list(session.exec(select(CheckIn).where(CheckIn.person_id == person_id)).all())


@pytest.mark.parametrize(
    "state",
    [
        {},  # invited, no consent yet
        {"status": "active", "consent_given": None},
        {"status": "active", "consent_given": False},
        {"status": "paused", "consent_given": True},
        {"status": "opted_out", "consent_given": True},
    ],
)
def test_refused_before_enrollment_and_consent(
    client: TestClient, officer: dict[str, Any], engine: Engine, state: dict[str, Any]
) -> None:
    person = enroll(client, officer["headers"])
    if state:
        update_person(engine, person["id"], **state)

    response = _schedule(client, officer, person["id"])

    assert response.status_code == 409
    assert response.json() == {"detail": NOT_ENROLLED}
    assert _stored(engine, person["id"]) == []


def test_scheduled_for_now_by_default(
    client: TestClient, officer: dict[str, Any], engine: Engine, enrolled: dict[str, Any]
) -> None:
    before = utcnow()
    response = _schedule(client, officer, enrolled["id"])

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["person_id"] == enrolled["id"]
    due = datetime.fromisoformat(body["due_at"])
    assert timedelta(0) <= due - before < timedelta(seconds=30)
    [row] = _stored(engine, enrolled["id"])
    assert row.created_by_id == officer["id"]
    assert row.status == "scheduled"
    assert ("checkin.create", officer["id"]) in audit_actions(engine, enrolled["id"])


def test_offset_is_converted_to_utc(
    client: TestClient, officer: dict[str, Any], engine: Engine, enrolled: dict[str, Any]
) -> None:
    expected = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    due_local = expected.astimezone(timezone(timedelta(hours=5))).isoformat()
    assert due_local.endswith("+05:00")

    response = _schedule(client, officer, enrolled["id"], {"due_at": due_local})

    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["due_at"]) == expected
    assert response.json()["due_at"].endswith(("+00:00", "Z"))
    [row] = _stored(engine, enrolled["id"])
    # Stored as the UTC instant (SQLite hands it back naive, PostgreSQL aware).
    assert as_utc(row.due_at) == expected
    if row.due_at.tzinfo is None:
        assert row.due_at == expected.replace(tzinfo=None)


def test_zulu_time_is_accepted(
    client: TestClient, officer: dict[str, Any], engine: Engine, enrolled: dict[str, Any]
) -> None:
    due = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    text = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    response = _schedule(client, officer, enrolled["id"], {"due_at": text})
    assert response.status_code == 201
    [row] = _stored(engine, enrolled["id"])
    assert as_utc(row.due_at) == due


@pytest.mark.parametrize(
    ("due_at", "message"),
    [
        ("2030-01-01T09:00:00", "give a time zone"),
        ("tomorrow", "valid datetime"),
        ("2030-13-01T09:00:00Z", "valid datetime"),
        ([2030, 1, 1], "valid datetime"),
    ],
)
def test_bad_due_at(
    client: TestClient,
    officer: dict[str, Any],
    engine: Engine,
    enrolled: dict[str, Any],
    due_at: Any,
    message: str,
) -> None:
    response = _schedule(client, officer, enrolled["id"], {"due_at": due_at})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "due_at"
    assert message in error["msg"]
    assert _stored(engine, enrolled["id"]) == []


def test_more_than_a_year_ahead_is_refused(
    client: TestClient, officer: dict[str, Any], engine: Engine, enrolled: dict[str, Any]
) -> None:
    too_late = (utcnow() + timedelta(days=366)).isoformat()
    within = (utcnow() + timedelta(days=364)).isoformat()

    refused = _schedule(client, officer, enrolled["id"], {"due_at": too_late})
    accepted = _schedule(client, officer, enrolled["id"], {"due_at": within})

    assert refused.status_code == 422
    assert "one year" in refused.json()["detail"][0]["msg"]
    assert accepted.status_code == 201
    assert len(_stored(engine, enrolled["id"])) == 1


def test_unknown_body_fields_are_refused(
    client: TestClient, officer: dict[str, Any], enrolled: dict[str, Any]
) -> None:
    response = _schedule(client, officer, enrolled["id"], {"status": "answered"})
    assert response.status_code == 422


def test_a_checkin_asked_for_in_quiet_hours_shows_when_it_will_really_go(
    client, officer, engine, app
):
    app.state.settings = app.state.settings.model_copy(
        update={"quiet_hours_start": 21, "quiet_hours_end": 9}
    )
    person = enroll(client, officer["headers"], timezone="Asia/Almaty")
    update_person(engine, person["id"], status="active", consent_given=True)
    late = (utcnow() + timedelta(days=2)).replace(hour=17, minute=30, second=0, microsecond=0)

    response = client.post(
        f"/api/v1/persons/{person['id']}/checkins",
        json={"due_at": late.isoformat()},
        headers=officer["headers"],
    )

    assert response.status_code == 201, response.text
    due = datetime.fromisoformat(response.json()["due_at"])
    # 22:30 in Almaty waits for 09:00 the next morning (04:00 UTC).
    assert due == (late + timedelta(days=1)).replace(hour=4, minute=0)
