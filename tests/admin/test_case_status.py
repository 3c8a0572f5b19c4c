"""Pause, resume, close, reopen and transfer a case: one transition table, audited."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import Appointment, CheckIn, Message, Person
from bot.models.enums import AppointmentStatus, CheckInStatus, Direction, MessageStatus
from tests.admin.helpers import audit_actions, enroll, update_person


def _active(client, officer, engine):
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], status="active", consent_given=True)
    return person["id"]


def _post(client, headers, person_id, action, **body):
    return client.post(f"/api/v1/persons/{person_id}/{action}", json=body or None, headers=headers)


def test_pause_and_resume(client, officer, engine):
    person_id = _active(client, officer, engine)

    paused = _post(client, officer["headers"], person_id, "pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused" and paused.json()["next_checkin_at"] is None
    again = _post(client, officer["headers"], person_id, "pause")
    assert again.status_code == 409 and "paused" in again.json()["detail"]

    resumed = _post(client, officer["headers"], person_id, "resume")
    assert resumed.json()["status"] == "active" and resumed.json()["next_checkin_at"] is not None
    actions = audit_actions(engine, person_id)
    assert ("person.pause", officer["id"]) in actions and (
        "person.resume",
        officer["id"],
    ) in actions


def test_closing_stops_every_scheduled_message(client, officer, engine):
    person_id = _active(client, officer, engine)
    now = utcnow()
    with session_scope(engine) as session:
        session.add(
            CheckIn(
                person_id=person_id, status=CheckInStatus.scheduled, due_at=now + timedelta(hours=3)
            )
        )
        session.add(
            CheckIn(
                person_id=person_id, status=CheckInStatus.answered, due_at=now - timedelta(days=1)
            )
        )
        session.add(
            Appointment(
                person_id=person_id,
                starts_at=now + timedelta(days=2),
                kind="meeting",
                place="Centre",
                remind_at=now + timedelta(days=1),
            )
        )
        for kind in ("checkin", "officer"):
            session.add(
                Message(
                    direction=Direction.outbound,
                    channel="simulator",
                    address="sim-1",
                    person_id=person_id,
                    kind=kind,
                    body="?",
                    status=MessageStatus.queued,
                    next_attempt_at=now,
                )
            )

    closed = _post(client, officer["headers"], person_id, "close")

    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["next_checkin_at"] is None
    with Session(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None and person.closed_at is not None
        statuses = sorted(
            c.status for c in session.exec(select(CheckIn).where(CheckIn.person_id == person_id))
        )
        assert statuses == [CheckInStatus.answered, CheckInStatus.cancelled]
        appointment = session.exec(
            select(Appointment).where(Appointment.person_id == person_id)
        ).one()
        assert appointment.remind_at is None and appointment.status == AppointmentStatus.scheduled
        messages = {
            m.kind: m.status
            for m in session.exec(select(Message).where(Message.person_id == person_id))
        }
        # The check-in question is stopped; an officer's own words were meant to go.
        assert messages == {"checkin": MessageStatus.failed, "officer": MessageStatus.queued}
    assert ("person.close", officer["id"]) in audit_actions(engine, person_id)

    for action in ("pause", "resume", "close"):
        refused = _post(client, officer["headers"], person_id, action)
        assert refused.status_code == 409 and "closed" in refused.json()["detail"], action

    reopened = _post(client, officer["headers"], person_id, "reopen")
    assert reopened.json()["status"] == "active" and reopened.json()["next_checkin_at"] is not None
    with Session(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None and person.closed_at is None


def test_reopening_someone_who_never_consented_goes_back_to_invited(client, officer):
    person = enroll(client, officer["headers"])
    assert _post(client, officer["headers"], person["id"], "reopen").status_code == 409
    assert _post(client, officer["headers"], person["id"], "close").json()["status"] == "closed"
    reopened = _post(client, officer["headers"], person["id"], "reopen")
    assert reopened.json()["status"] == "invited"


def test_a_supervisor_transfers_within_the_team(client, engine, make_user, login):
    boss = make_user("boss@example.org", role="supervisor")
    first = make_user("first@example.org", supervisor_id=boss)
    second = make_user("second@example.org", supervisor_id=boss)
    outsider = make_user("outsider@example.org")
    boss_headers = login("boss@example.org")
    person = enroll(client, login("first@example.org"))

    moved = _post(client, boss_headers, person["id"], "transfer", officer_id=second)

    assert moved.status_code == 200, moved.text
    assert moved.json()["officer_id"] == second
    assert (
        client.get(
            f"/api/v1/persons/{person['id']}", headers=login("first@example.org")
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/persons/{person['id']}", headers=login("second@example.org")
        ).status_code
        == 200
    )
    assert ("person.transfer", boss) in audit_actions(engine, person["id"])
    for target in (outsider, 999_999, first + 1000):
        refused = _post(client, boss_headers, person["id"], "transfer", officer_id=target)
        assert refused.status_code == 422, (target, refused.text)
    again = _post(client, boss_headers, person["id"], "transfer", officer_id=second)
    assert again.status_code == 409
    for body in ({"officer_id": 0}, {"officer_id": 2**31}, {}, {"officer_id": "x"}):
        response = client.post(
            f"/api/v1/persons/{person['id']}/transfer", json=body, headers=boss_headers
        )
        assert response.status_code == 422, body


def test_an_inactive_officer_cannot_receive_a_case(client, make_user, login):
    make_user("admin@example.org", role="admin")
    gone = make_user("gone@example.org", is_active=False)
    admin = login("admin@example.org")
    person = enroll(client, admin)
    refused = _post(client, admin, person["id"], "transfer", officer_id=gone)
    assert refused.status_code == 422 and "no such active officer" in refused.text


def test_an_officer_cannot_transfer_and_strangers_get_404(client, officer, make_user, login):
    person = enroll(client, officer["headers"])
    other = make_user("officer.b@example.org")
    assert (
        _post(client, officer["headers"], person["id"], "transfer", officer_id=other).status_code
        == 403
    )
    stranger = login("officer.b@example.org")
    assert _post(client, stranger, person["id"], "close").status_code == 404
    assert _post(client, officer["headers"], 2**31, "close").status_code in (404, 422)
