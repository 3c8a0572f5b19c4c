"""Booking, moving and cancelling tell the person at once; attended/missed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.models import Appointment, Message
from bot.models.enums import Direction
from tests.admin.helpers import audit_actions, enroll
from tests.factories import make_enrolled

FORBIDDEN = ("prison", "probation", "crime", "тюрьм", "пробац", "преступ")


def _told(engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        query = (
            select(Message)
            .where(Message.person_id == person_id, Message.direction == Direction.outbound)
            .order_by(col(Message.id))
        )
        return [m.body for m in session.exec(query) if m.kind == "appointment"]


def _person(engine, officer_id: int, language: str = "en") -> int:
    person, _ = make_enrolled(
        engine, language=language, timezone="Asia/Almaty", officer_id=officer_id
    )
    assert person.id is not None
    return person.id


def _book(client, headers, person_id: int, starts: datetime, place: str = "Office 12"):
    response = client.post(
        f"/api/v1/persons/{person_id}/appointments",
        json={"starts_at": starts.isoformat(), "kind": "meeting", "place": place},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_booking_moving_and_cancelling_are_told_at_once_in_local_time(client, officer, engine):
    person_id = _person(engine, officer["id"])
    day = (utcnow() + timedelta(days=3)).date()
    starts = datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)  # 10:00 in Almaty

    booked = _book(client, officer["headers"], person_id, starts)
    told = _told(engine, person_id)
    assert len(told) == 1 and told[0].startswith("New appointment:") and "10:00" in told[0]
    assert "Office 12" in told[0]

    url = f"/api/v1/persons/{person_id}/appointments/{booked['id']}"
    moved = client.patch(
        url,
        json={"starts_at": (starts + timedelta(hours=2)).isoformat()},
        headers=officer["headers"],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "scheduled"
    assert datetime.fromisoformat(moved.json()["remind_at"]) == starts + timedelta(
        hours=2
    ) - timedelta(hours=24)
    told = _told(engine, person_id)
    assert (
        len(told) == 2 and told[1].startswith("Your appointment has moved") and "12:00" in told[1]
    )

    cancelled = client.post(f"{url}/cancel", headers=officer["headers"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["remind_at"] is None
    told = _told(engine, person_id)
    assert len(told) == 3 and "cancelled" in told[2]
    for text in told:
        assert not [word for word in FORBIDDEN if word in text.lower()]
    again = client.post(f"{url}/cancel", headers=officer["headers"])
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    assert (
        client.patch(url, json={"place": "Elsewhere"}, headers=officer["headers"]).status_code
        == 409
    )
    actions = audit_actions(engine, person_id)
    assert ("appointment.update", officer["id"]) in actions
    assert ("appointment.cancelled", officer["id"]) in actions


def test_the_notice_is_in_the_persons_language(client, officer, engine):
    person_id = _person(engine, officer["id"], language="ru")
    _book(client, officer["headers"], person_id, utcnow() + timedelta(days=2))
    assert _told(engine, person_id)[0].startswith("Новая встреча:")


def test_someone_not_enrolled_is_not_told(client, officer, engine):
    person = enroll(client, officer["headers"])
    _book(client, officer["headers"], person["id"], utcnow() + timedelta(days=2))
    assert _told(engine, person["id"]) == []


def test_attended_and_missed_only_after_the_start(client, officer, engine):
    person_id = _person(engine, officer["id"])
    booked = _book(client, officer["headers"], person_id, utcnow() + timedelta(days=1))
    url = f"/api/v1/persons/{person_id}/appointments/{booked['id']}"
    early = client.post(f"{url}/attended", headers=officer["headers"])
    assert early.status_code == 409 and "not started" in early.json()["detail"]

    with Session(engine) as session:
        appointment = session.get(Appointment, booked["id"])
        assert appointment is not None
        appointment.starts_at = utcnow() - timedelta(hours=1)
        session.add(appointment)
        session.commit()
    assert client.post(f"{url}/missed", headers=officer["headers"]).json()["status"] == "missed"
    assert client.post(f"{url}/attended", headers=officer["headers"]).json()["status"] == "attended"
    refused = client.post(f"{url}/cancel", headers=officer["headers"])
    assert refused.status_code == 409 and "attended" in refused.json()["detail"]


def test_bad_updates_and_strangers(client, officer, engine, make_user, login):
    person_id = _person(engine, officer["id"])
    booked = _book(client, officer["headers"], person_id, utcnow() + timedelta(days=1))
    url = f"/api/v1/persons/{person_id}/appointments/{booked['id']}"
    for body in (
        {},
        {"starts_at": None},
        {"starts_at": (utcnow() - timedelta(hours=1)).isoformat()},
        {"starts_at": "2030-01-01T10:00:00"},
        {"kind": "court"},
        {"place": "Probation office"},
        {"place": "x" * 301},
        {"status": "attended"},
    ):
        response = client.patch(url, json=body, headers=officer["headers"])
        assert response.status_code == 422, (body, response.text)
    missing = f"/api/v1/persons/{person_id}/appointments/999999"
    assert client.patch(missing, json={"place": "A"}, headers=officer["headers"]).status_code == 404
    assert client.post(
        f"/api/v1/persons/{person_id}/appointments/{2**31}/cancel", headers=officer["headers"]
    ).status_code in (404, 422)
    other = _person(engine, officer["id"])
    assert (
        client.post(
            f"/api/v1/persons/{other}/appointments/{booked['id']}/cancel",
            headers=officer["headers"],
        ).status_code
        == 404
    )
    make_user("officer.b@example.org")
    assert client.post(f"{url}/cancel", headers=login("officer.b@example.org")).status_code == 404
