"""The escalations API: who sees which, filters, the queue's order and keyset pages, and
each status transition (and the 409s) through the real app and database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Escalation
from bot.pipeline.escalations import open_escalation
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import audit_actions
from tests.factories import make_person

URL = "/api/v1/escalations"


def escalate(
    engine: Engine,
    settings: Settings,
    person_id: int,
    severity: str = "high",
    reason: str = "crisis",
    *,
    now: datetime | None = None,
) -> int:
    with session_scope(engine) as session:
        escalation = open_escalation(
            session,
            settings,
            person_id=person_id,
            reason=reason,
            severity=severity,
            now=now or utcnow(),
        )
        session.flush()
        assert escalation.id is not None
        return escalation.id


@pytest.fixture
def team(make_user: MakeUser, login: Login, engine: Engine) -> dict[str, Any]:
    """A supervisor with one officer, a second officer outside the team, an admin, an
    NGO account; one person on each officer's caseload."""
    supervisor = make_user("sup@example.org", "supervisor")
    inside = make_user("inside@example.org", supervisor_id=supervisor)
    outside = make_user("outside@example.org")
    make_user("admin@example.org", "admin")
    make_user("ngo@example.org", "ngo")
    return {
        "supervisor": supervisor,
        "inside": inside,
        "outside": outside,
        "p_inside": make_person(engine, display_name="Aigerim", officer_id=inside).id,
        "p_outside": make_person(engine, display_name="Bolat", officer_id=outside).id,
        "p_sup": make_person(engine, display_name="Saule", officer_id=supervisor).id,
        "headers": {
            role: login(f"{role}@example.org")
            for role in ("sup", "inside", "outside", "admin", "ngo")
        },
    }


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_each_role_sees_its_scope(
    client: TestClient, engine: Engine, settings: Settings, team: dict[str, Any]
) -> None:
    e_in = escalate(engine, settings, team["p_inside"])
    e_out = escalate(engine, settings, team["p_outside"])
    e_sup = escalate(engine, settings, team["p_sup"])
    headers = team["headers"]

    assert set(_ids(client.get(URL, headers=headers["admin"]))) == {e_in, e_out, e_sup}
    assert set(_ids(client.get(URL, headers=headers["sup"]))) == {e_in, e_sup}
    assert _ids(client.get(URL, headers=headers["inside"])) == [e_in]
    assert _ids(client.get(URL, headers=headers["outside"])) == [e_out]
    assert client.get(URL, headers=headers["ngo"]).status_code == 403
    assert client.get(f"{URL}/{e_in}", headers=headers["ngo"]).status_code == 403
    assert client.get(URL).status_code == 401

    # Out of scope answers like a missing one, for reads and for changes.
    for path in (f"{URL}/{e_in}", f"{URL}/999999", f"{URL}/{2**31}", f"{URL}/0"):
        response = client.get(path, headers=headers["outside"])
        assert response.status_code == 404, path
    assert client.post(f"{URL}/{e_in}/acknowledge", headers=headers["outside"]).status_code == 404
    read = client.get(f"{URL}/{e_in}", headers=headers["sup"])
    assert read.status_code == 200
    assert read.json()["person_display_name"] == "Aigerim"


def test_item_shape_and_time_left(
    client: TestClient, engine: Engine, settings: Settings, team: dict[str, Any]
) -> None:
    past = utcnow() - timedelta(hours=2)
    late = escalate(engine, settings, team["p_inside"], "critical", now=past)
    fresh = escalate(engine, settings, team["p_inside"], "low", "missed_checkins")
    items = {
        item["id"]: item
        for item in client.get(URL, headers=team["headers"]["inside"]).json()["items"]
    }
    assert items[late]["seconds_left"] < -3000  # a 1 h deadline, 2 h ago
    assert items[late]["severity"] == "critical"
    assert items[late]["person_id"] == team["p_inside"]
    assert items[fresh]["seconds_left"] > 71 * 3600
    assert items[fresh]["alert_status"] == "digest_pending"
    expected = {
        "reason", "status", "created_at", "ack_deadline", "acknowledged_by", "acknowledged_at",
        "resolved_by", "resolved_at", "outcome", "note", "message_id", "alert_failed_at",
    }  # fmt: skip
    assert expected <= set(items[late])


def test_default_order_and_keyset_pages(
    client: TestClient, engine: Engine, settings: Settings, team: dict[str, Any]
) -> None:
    person = team["p_inside"]
    now = utcnow()
    low = escalate(engine, settings, person, "low", now=now)
    critical_late = escalate(engine, settings, person, "critical", now=now)
    critical_early = escalate(engine, settings, person, "critical", now=now - timedelta(minutes=5))
    medium = escalate(engine, settings, person, "medium", now=now)
    high_resolved = escalate(engine, settings, person, "high", now=now)
    headers = team["headers"]["inside"]
    resolved = client.post(
        f"{URL}/{high_resolved}/resolve", json={"outcome": "contacted_safe"}, headers=headers
    )
    assert resolved.status_code == 200

    expected = [critical_early, critical_late, medium, low, high_resolved]
    assert _ids(client.get(URL, headers=headers)) == expected

    seen: list[int] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if after:
            params["after"] = after
        page = client.get(URL, params=params, headers=headers)
        seen += _ids(page)
        after = page.json()["next_after"]
        if after is None:
            break
    assert seen == expected

    for bad in ("nonsense", "e30", "W10", "WzEsIDksIG51bGwsIDFd", "x" * 201):
        response = client.get(URL, params={"after": bad}, headers=headers)
        assert response.status_code == 422, bad
        assert "detail" in response.json()


def test_filters(
    client: TestClient, engine: Engine, settings: Settings, team: dict[str, Any]
) -> None:
    crisis = escalate(engine, settings, team["p_sup"], "critical", "crisis")
    missed = escalate(engine, settings, team["p_inside"], "medium", "missed_checkins")
    headers = team["headers"]["sup"]
    client.post(f"{URL}/{missed}/acknowledge", headers=headers)

    assert _ids(client.get(URL, params={"severity": "critical"}, headers=headers)) == [crisis]
    assert _ids(client.get(URL, params={"reason": "missed_checkins"}, headers=headers)) == [missed]
    assert _ids(client.get(URL, params={"status": "acknowledged"}, headers=headers)) == [missed]
    assert _ids(client.get(URL, params={"status": "open"}, headers=headers)) == [crisis]
    by_person = client.get(URL, params={"person_id": team["p_sup"]}, headers=headers)
    assert _ids(by_person) == [crisis]
    for bad in ({"severity": "urgent"}, {"status": "closed"}, {"person_id": 2**31}):
        assert client.get(URL, params=bad, headers=headers).status_code == 422, bad


def test_transitions_and_conflicts(
    client: TestClient, engine: Engine, settings: Settings, team: dict[str, Any]
) -> None:
    escalation_id = escalate(engine, settings, team["p_inside"], "critical")
    headers = team["headers"]["inside"]
    base = f"{URL}/{escalation_id}"

    acked = client.post(f"{base}/acknowledge", headers=headers)
    assert acked.status_code == 200
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == team["inside"]
    again = client.post(f"{base}/acknowledge", headers=headers)
    assert again.status_code == 409
    assert "acknowledged" in again.json()["detail"]
    assert client.post(f"{base}/reopen", headers=headers).status_code == 409

    assert client.post(f"{base}/resolve", json={}, headers=headers).status_code == 422
    too_long = {"outcome": "referred", "note": "x" * 1001}
    assert client.post(f"{base}/resolve", json=too_long, headers=headers).status_code == 422
    unknown = {"outcome": "arrested"}
    assert client.post(f"{base}/resolve", json=unknown, headers=headers).status_code == 422
    body = {"outcome": "referred", "note": "Called; referred to a counsellor."}
    resolved = client.post(f"{base}/resolve", json=body, headers=headers)
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["outcome"] == "referred"
    assert resolved.json()["note"] == body["note"]
    assert resolved.json()["seconds_left"] is None
    conflict = client.post(f"{base}/resolve", json=body, headers=headers)
    assert conflict.status_code == 409
    assert "resolved" in conflict.json()["detail"]
    assert client.post(f"{base}/acknowledge", headers=headers).status_code == 409

    reopened = client.post(f"{base}/reopen", headers=headers)
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert reopened.json()["outcome"] is None
    assert reopened.json()["seconds_left"] > 3500  # a fresh critical deadline
    with Session(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None and row.is_resolved is False

    # open → resolved directly, and overdue → acknowledged.
    assert client.post(f"{base}/resolve", json=body, headers=headers).status_code == 200
    with Session(engine) as session:
        assert session.get(Escalation, escalation_id).is_resolved is True  # type: ignore[union-attr]
    late = escalate(engine, settings, team["p_inside"], "high")
    with session_scope(engine) as session:
        row = session.get(Escalation, late)
        assert row is not None
        row.status = "overdue"  # type: ignore[assignment]
    assert client.post(f"{URL}/{late}/acknowledge", headers=headers).json()["status"] == (
        "acknowledged"
    )

    actions = [action for action, _ in audit_actions(engine, team["p_inside"])]
    for action in ("escalation.acknowledge", "escalation.resolve", "escalation.reopen"):
        assert action in actions


def test_deadline_follows_the_settings(engine: Engine, settings: Settings) -> None:
    person = make_person(engine)
    custom = settings.model_copy(update={"escalation_deadline_critical_minutes": 15})
    now = utcnow()
    expected = {"critical": 15, "high": 240, "medium": 1440, "low": 4320}
    with session_scope(engine) as session:
        for severity, minutes in expected.items():
            escalation = open_escalation(
                session,
                custom,
                person_id=person.id,  # type: ignore[arg-type]
                reason="test",
                severity=severity,
                now=now,
                message_id=7,
            )
            assert escalation.ack_deadline == now + timedelta(minutes=minutes), severity
            assert escalation.message_id == 7
