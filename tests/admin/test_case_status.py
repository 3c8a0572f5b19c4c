"""Pause, resume, close, reopen and transfer a case: one transition table, 409 otherwise,
closing stops every scheduled message, transfers only by supervisors (their team) and admins."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.models import Appointment, CheckIn, Message, Person
from bot.models.enums import CheckInStatus, Direction, MessageStatus
from tests.admin.helpers import audit_actions, enroll, update_person
from tests.factories import make_enrolled


def _post(client, headers, person_id, action, **body):
    return client.post(f"/api/v1/persons/{person_id}/{action}", json=body or None, headers=headers)


def test_pause_resume_close_reopen_follow_the_table(client, engine, officer):
    person = enroll(client, officer["headers"])
    pid = person["id"]
    update_person(engine, pid, status="active", consent_given=True)
    h = officer["headers"]
    assert _post(client, h, pid, "resume").status_code == 409
    paused = _post(client, h, pid, "pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    again = _post(client, h, pid, "pause")
    assert again.status_code == 409 and "paused" in again.json()["detail"]
    assert _post(client, h, pid, "resume").json()["status"] == "active"
    closed = _post(client, h, pid, "close")
    assert closed.json()["status"] == "closed" and closed.json()["next_checkin_at"] is None
    assert _post(client, h, pid, "pause").status_code == 409
    reopened = _post(client, h, pid, "reopen")
    assert reopened.json()["status"] == "active" and reopened.json()["next_checkin_at"] is not None
    actions = [a for a, _ in audit_actions(engine, pid)]
    assert [a for a in actions if a.startswith("person.") and a != "person.create"] == [
        "person.pause",
        "person.resume",
        "person.close",
        "person.reopen",
    ]


def test_a_case_that_never_consented_reopens_as_invited(client, officer):
    person = enroll(client, officer["headers"])
    assert _post(client, officer["headers"], person["id"], "close").json()["status"] == "closed"
    assert _post(client, officer["headers"], person["id"], "reopen").json()["status"] == "invited"


def test_closing_stops_every_scheduled_message(client, engine, officer):
    person, identity = make_enrolled(engine, officer_id=officer["id"], next_checkin_at=utcnow())
    now = utcnow()
    with Session(engine) as session:
        session.add(CheckIn(person_id=person.id, due_at=now, status=CheckInStatus.scheduled))
        session.add(
            CheckIn(
                person_id=person.id,
                due_at=now - timedelta(hours=1),
                status=CheckInStatus.sent,
                sent_at=now,
            )
        )
        session.add(
            Appointment(
                person_id=person.id,
                starts_at=now + timedelta(days=2),
                kind="meeting",
                remind_at=now + timedelta(days=1),
            )
        )
        session.add(
            Message(
                direction=Direction.outbound,
                channel=identity.channel,
                address=identity.address,
                person_id=person.id,
                body="hello",
                status=MessageStatus.queued,
                next_attempt_at=now,
            )
        )
        session.commit()
    assert _post(client, officer["headers"], person.id, "close").status_code == 200
    with Session(engine) as session:
        assert {c.status for c in session.exec(select(CheckIn))} == {CheckInStatus.cancelled}
        assert [a.remind_at for a in session.exec(select(Appointment))] == [None]
        assert [m.status for m in session.exec(select(Message))] == [MessageStatus.failed]
        stored = session.get(Person, person.id)
        assert stored.closed_at is not None and stored.next_checkin_at is None


def test_transfer_by_a_supervisor_within_the_team_and_by_an_admin(client, engine, make_user, login):
    boss = make_user("boss@example.org", "supervisor")
    mine = make_user("mine@example.org", "officer", supervisor_id=boss)
    theirs = make_user("theirs@example.org", "officer")
    make_user("admin@example.org", "admin")
    person = enroll(client, login("mine@example.org"))
    assert person["officer_id"] == mine
    sup, admin, officer = (
        login("boss@example.org"),
        login("admin@example.org"),
        login("mine@example.org"),
    )
    url = f"/api/v1/persons/{person['id']}/transfer"
    assert client.post(url, json={"officer_id": boss}, headers=officer).status_code == 403
    outside = client.post(url, json={"officer_id": theirs}, headers=sup)
    assert outside.status_code == 422 and "team" in outside.text
    moved = client.post(url, json={"officer_id": boss}, headers=sup)
    assert moved.status_code == 200 and moved.json()["officer_id"] == boss
    assert client.post(url, json={"officer_id": boss}, headers=sup).status_code == 409
    assert client.get(f"/api/v1/persons/{person['id']}", headers=officer).status_code == 404
    to_theirs = client.post(url, json={"officer_id": theirs}, headers=admin)
    assert to_theirs.status_code == 200 and to_theirs.json()["officer_id"] == theirs
    assert client.post(url, json={"officer_id": 999999}, headers=admin).status_code == 422
    assert client.post(url, json={"officer_id": 2**40}, headers=admin).status_code == 422
    actions = [a for a, _ in audit_actions(engine, person["id"])]
    assert actions.count("person.transfer") == 2


def test_an_erased_case_cannot_be_moved(client, engine, officer):
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], erased_at=utcnow(), status="closed")
    assert _post(client, officer["headers"], person["id"], "reopen").status_code == 409
