"""Appointments through the API: validation, scope, reminder timing, the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import utcnow
from tests.admin.helpers import audit_actions, enroll


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def test_an_appointment_gets_its_day_before_reminder_time(client, officer, engine):
    person = enroll(client, officer["headers"], timezone="Asia/Almaty")
    # Three days ahead at 15:00 Almaty: the day-before reminder is at 15:00 the day before.
    day = (utcnow() + timedelta(days=3)).date()
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)

    response = client.post(
        f"/api/v1/persons/{person['id']}/appointments",
        json={"starts_at": _iso(starts), "kind": "meeting", "place": "Office 12, Bukhar-Zhyrau 47"},
        headers=officer["headers"],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "scheduled" and body["kind"] == "meeting"
    assert datetime.fromisoformat(body["remind_at"]) == starts - timedelta(hours=24)
    assert ("appointment.create", officer["id"]) in audit_actions(engine, person["id"])


def test_a_day_before_reminder_in_quiet_hours_moves_to_the_evening_before(client, officer, app):
    app.state.settings = app.state.settings.model_copy(
        update={"quiet_hours_start": 21, "quiet_hours_end": 9}
    )
    person = enroll(client, officer["headers"], timezone="Asia/Almaty")
    day = (utcnow() + timedelta(days=3)).date()
    starts = datetime(day.year, day.month, day.day, 2, 30, tzinfo=UTC)  # 07:30 Almaty

    body = client.post(
        f"/api/v1/persons/{person['id']}/appointments",
        json={"starts_at": _iso(starts), "kind": "documents", "place": "ЦОН"},
        headers=officer["headers"],
    ).json()

    # 07:30 the day before is inside 21:00-09:00: the reminder goes at 20:30 two days before.
    evening = datetime(day.year, day.month, day.day, 15, 30, tzinfo=UTC) - timedelta(days=2)
    assert datetime.fromisoformat(body["remind_at"]) == evening


def test_bad_appointments_are_refused_with_what_to_fix(client, officer):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/appointments"
    soon = utcnow() + timedelta(days=1)
    cases = [
        (
            {"starts_at": soon.replace(tzinfo=None).isoformat(), "kind": "meeting", "place": "x"},
            "time zone",
        ),
        (
            {"starts_at": _iso(utcnow() - timedelta(hours=1)), "kind": "meeting", "place": "x"},
            "future",
        ),
        (
            {"starts_at": _iso(utcnow() + timedelta(days=400)), "kind": "meeting", "place": "x"},
            "within a year",
        ),
        ({"starts_at": _iso(soon), "kind": "probation", "place": "x"}, "kind"),
        ({"starts_at": _iso(soon), "kind": "meeting", "place": "Пробация, каб. 4"}, "phone"),
        ({"starts_at": _iso(soon), "kind": "meeting", "place": "  "}, "place"),
        ({"starts_at": _iso(soon), "kind": "meeting"}, "place"),
    ]
    for body, hint in cases:
        response = client.post(url, json=body, headers=officer["headers"])
        assert response.status_code == 422, (body, response.text)
        assert hint in response.text, (hint, response.text)
    assert client.get(url, headers=officer["headers"]).json() == []


def test_another_officers_person_answers_404(client, officer, make_user, login):
    person = enroll(client, officer["headers"])
    make_user("officer.b@example.org")
    other = login("officer.b@example.org")
    url = f"/api/v1/persons/{person['id']}/appointments"
    body = {"starts_at": _iso(utcnow() + timedelta(days=2)), "kind": "medical", "place": "x"}

    assert client.post(url, json=body, headers=other).status_code == 404
    assert client.get(url, headers=other).status_code == 404
    assert client.post(url, json=body).status_code == 401


def test_appointments_are_listed_soonest_first_and_on_the_timeline(client, officer):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/appointments"
    for days, kind in ((5, "medical"), (2, "job_interview")):
        body = {"starts_at": _iso(utcnow() + timedelta(days=days)), "kind": kind, "place": "x"}
        assert client.post(url, json=body, headers=officer["headers"]).status_code == 201

    listed = client.get(url, headers=officer["headers"]).json()
    assert [a["kind"] for a in listed] == ["job_interview", "medical"]
    timeline = client.get(
        f"/api/v1/persons/{person['id']}/timeline", headers=officer["headers"]
    ).json()
    assert sorted(i["kind"] for i in timeline["items"] if i["type"] == "appointment") == [
        "job_interview",
        "medical",
    ]
