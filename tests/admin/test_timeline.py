"""GET /persons/{id}/timeline: one list, newest first, paged by time, and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.models import AuditEvent, CheckIn, ConsentRecord, Escalation, Message
from tests.admin.helpers import enroll

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _url(person_id: int) -> str:
    return f"/api/v1/persons/{person_id}/timeline"


def _seed(engine: Engine, person_id: int) -> None:
    """One of each kind, at known times (minutes after T0): newest first is 50,40,30,20,10,0."""
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    with session_scope(engine) as session:
        session.add_all(
            [
                ConsentRecord(
                    person_id=person_id,
                    granted=True,
                    text_version="v1",
                    channel="sms",
                    created_at=at(0),
                ),
                Message(
                    person_id=person_id,
                    direction="in",
                    channel="sms",
                    address="+77011234567",
                    body="привет",
                    status="received",
                    created_at=at(10),
                ),
                Message(
                    person_id=person_id,
                    direction="out",
                    channel="sms",
                    address="+77011234567",
                    body="Как вы?",
                    status="sent",
                    kind="choice",
                    choices=[{"id": "good", "label": "Хорошо"}],
                    created_at=at(20),
                ),
                CheckIn(
                    person_id=person_id,
                    status="answered",
                    due_at=at(30),
                    sent_at=at(31),
                    answered_at=at(35),
                    mood=2,
                    need="housing",
                    created_at=at(1),
                ),
                Escalation(
                    person_id=person_id, reason="low_mood", severity="medium", created_at=at(40)
                ),
                CheckIn(person_id=person_id, status="scheduled", due_at=at(50), created_at=at(2)),
            ]
        )


def test_timeline_merges_kinds_newest_first(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    _seed(engine, person["id"])

    response = client.get(_url(person["id"]), headers=officer["headers"])

    assert response.status_code == 200
    page = response.json()
    assert page["next_before"] is None
    items = page["items"]
    assert [i["type"] for i in items] == [
        "checkin",
        "escalation",
        "checkin",
        "message",
        "message",
        "consent",
    ]
    times = [datetime.fromisoformat(i["at"]) for i in items]
    assert times == [T0 + timedelta(minutes=m) for m in (50, 40, 30, 20, 10, 0)]

    scheduled, escalation, answered, outbound, inbound, consent = items
    assert set(scheduled) == {
        "type",
        "id",
        "at",
        "status",
        "due_at",
        "sent_at",
        "answered_at",
        "mood",
        "need",
    }
    assert answered["mood"] == 2 and answered["need"] == "housing"
    assert datetime.fromisoformat(answered["answered_at"]) == T0 + timedelta(minutes=35)
    assert escalation == {
        "type": "escalation",
        "id": escalation["id"],
        "at": escalation["at"],
        "reason": "low_mood",
        "severity": "medium",
        "status": "open",
    }
    assert outbound["direction"] == "out"
    assert outbound["choices"] == [{"id": "good", "label": "Хорошо"}]
    assert inbound["body"] == "привет"
    assert "address" not in inbound  # the timeline shows what was said, not the raw address
    assert consent["granted"] is True and consent["text_version"] == "v1"


def test_reading_the_timeline_is_audited(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    _seed(engine, person["id"])

    client.get(_url(person["id"]), headers=officer["headers"])

    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "person.timeline.read")
        ).all()
    assert len(events) == 1
    assert events[0].person_id == person["id"]
    assert events[0].actor_user_id == officer["id"]
    assert "привет" not in str(events[0].detail)


def test_paging_by_time_has_no_gaps_or_duplicates(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    _seed(engine, person["id"])

    seen: list[tuple[str, int]] = []
    params: dict[str, Any] = {"limit": 4}
    sizes = []
    while True:
        page = client.get(_url(person["id"]), params=params, headers=officer["headers"]).json()
        sizes.append(len(page["items"]))
        seen += [(i["type"], i["id"]) for i in page["items"]]
        if page["next_before"] is None:
            break
        params = {"limit": 4, "before": page["next_before"]}

    assert sizes == [4, 2]
    assert len(seen) == len(set(seen)) == 6


def test_a_page_does_not_end_inside_a_group_of_equal_times(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    with session_scope(engine) as session:
        session.add(
            ConsentRecord(
                person_id=person["id"],
                granted=True,
                text_version="v1",
                created_at=T0 + timedelta(minutes=5),
            )
        )
        for _ in range(3):  # three at the very same instant
            session.add(
                Escalation(person_id=person["id"], reason="r", severity="low", created_at=T0)
            )

    first = client.get(_url(person["id"]), params={"limit": 2}, headers=officer["headers"]).json()
    assert [i["type"] for i in first["items"]] == ["consent"]
    second = client.get(
        _url(person["id"]),
        params={"limit": 3, "before": first["next_before"]},
        headers=officer["headers"],
    ).json()
    assert [i["type"] for i in second["items"]] == ["escalation"] * 3
    assert second["next_before"] is None


def test_before_with_an_offset(client: TestClient, officer: dict[str, Any], engine: Engine) -> None:
    person = enroll(client, officer["headers"])
    _seed(engine, person["id"])
    # 08:25 UTC written as 13:25+05:00: everything strictly older, i.e. minutes 20, 10, 0.
    before = "2026-03-01T13:25:00+05:00"

    page = client.get(
        _url(person["id"]), params={"before": before}, headers=officer["headers"]
    ).json()

    assert [i["type"] for i in page["items"]] == ["message", "message", "consent"]


@pytest.mark.parametrize(
    "params",
    [
        {"before": "2026-03-01T08:25:00"},  # naive
        {"before": "yesterday"},
        {"limit": 0},
        {"limit": 501},
    ],
)
def test_bad_timeline_parameters(
    client: TestClient, officer: dict[str, Any], params: dict[str, Any]
) -> None:
    person = enroll(client, officer["headers"])
    response = client.get(_url(person["id"]), params=params, headers=officer["headers"])
    assert response.status_code == 422


def test_naive_before_says_why(client: TestClient, officer: dict[str, Any]) -> None:
    person = enroll(client, officer["headers"])
    response = client.get(
        _url(person["id"]), params={"before": "2026-03-01T08:25:00"}, headers=officer["headers"]
    )
    assert "give a time zone" in response.json()["detail"][0]["msg"]


def test_empty_timeline(client: TestClient, officer: dict[str, Any]) -> None:
    person = enroll(client, officer["headers"])
    page = client.get(_url(person["id"]), headers=officer["headers"]).json()
    assert page == {"items": [], "next_before": None}
