"""PATCH /persons/{id}: the officer changes level, cadence, zone, phone."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import utcnow
from tests.admin.helpers import audit_actions, enroll, update_person


def test_a_cadence_override_moves_the_next_checkin(client, officer, engine):
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], status="active", consent_given=True)

    response = client.patch(
        f"/api/v1/persons/{person['id']}",
        json={"checkin_interval_hours": 24, "supervision_level": "high"},
        headers=officer["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["checkin_interval_hours"] == 24 and body["supervision_level"] == "high"
    due = datetime.fromisoformat(body["next_checkin_at"])
    assert abs(due - (utcnow() + timedelta(hours=24))) < timedelta(minutes=1)
    assert ("person.update", officer["id"]) in audit_actions(engine, person["id"])


def test_phone_and_zone_are_validated_like_at_enrollment(client, officer):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}"

    ok = client.patch(
        url,
        json={"phone": "8 701 123 45 67", "timezone": "Africa/Tunis"},
        headers=officer["headers"],
    )
    assert ok.status_code == 200 and ok.json()["phone"] == "+77011234567"
    for body, hint in (
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"phone": "12"}, "phone"),
        ({"checkin_interval_hours": 1}, "greater than or equal to 6"),
        ({"language": None}, "cannot be empty"),
        ({}, "at least one field"),
        ({"status": "closed"}, "extra"),
    ):
        response = client.patch(url, json=body, headers=officer["headers"])
        assert response.status_code == 422, (body, response.text)
        assert hint in response.text, (hint, response.text)


def test_another_officers_person_cannot_be_changed(client, officer, make_user, login):
    person = enroll(client, officer["headers"])
    make_user("officer.b@example.org")
    response = client.patch(
        f"/api/v1/persons/{person['id']}",
        json={"supervision_level": "low"},
        headers=login("officer.b@example.org"),
    )
    assert response.status_code == 404
