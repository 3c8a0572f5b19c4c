"""The right of access: one JSON document of everything held on a person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import (
    AuditEvent,
    CheckIn,
    ConsentRecord,
    ConversationState,
    Escalation,
    Message,
    Note,
)
from bot.models.enums import MessageStatus
from tests.factories import make_enrolled, make_invite

SECTIONS = {
    "format_version",
    "exported_at",
    "person",
    "channel_identities",
    "consents",
    "messages",
    "checkins",
    "escalations",
    "referrals",
    "appointments",
    "notes",
    "invites",
    "conversation_state",
}


@pytest.fixture
def held(engine, officer):
    """A person on the officer's caseload with a row of every kind."""
    person, identity = make_enrolled(
        engine, display_name="Aisulu", phone_e164="+77015550199", officer_id=officer["id"]
    )
    make_invite(engine, person, used=True)
    now = utcnow()
    with session_scope(engine) as session:
        session.add_all(
            [
                Message(
                    direction="in",
                    channel=identity.channel,
                    address=identity.address,
                    body="the code",  # before the address was linked to the person
                    status=MessageStatus.received,
                    created_at=now - timedelta(minutes=5),
                ),
                Message(
                    direction="in",
                    channel=identity.channel,
                    address=identity.address,
                    person_id=person.id,
                    body="I found a job",
                    status=MessageStatus.received,
                ),
                Message(
                    direction="out",
                    channel=identity.channel,
                    address=identity.address,
                    person_id=person.id,
                    body="Well done!",
                    status=MessageStatus.sent,
                    attempts=1,
                ),
                Message(  # an alert to staff about the person is not the person's message
                    direction="out",
                    channel="email",
                    address="officer@example.org",
                    person_id=person.id,
                    recipient_user_id=officer["id"],
                    kind="staff_alert",
                    body="A case needs your attention",
                    status=MessageStatus.sent,
                ),
                ConsentRecord(person_id=person.id, granted=True, text_version="v1"),
                CheckIn(person_id=person.id, status="answered", mood=4, note="fine"),
                Escalation(person_id=person.id, reason="low_mood", severity="medium"),
                Note(person_id=person.id, author_id=officer["id"], body="Met at the office"),
                ConversationState(person_id=person.id, flow="menu", data={"page": 2}),
            ]
        )
    return person


def test_the_export_holds_every_section_of_the_record(client, engine, officer, held):
    response = client.get(f"/api/v1/persons/{held.id}/export", headers=officer["headers"])

    assert response.status_code == 200, response.text
    document = response.json()
    assert set(document) == SECTIONS
    assert document["person"]["display_name"] == "Aisulu"
    assert document["person"]["phone_e164"] == "+77015550199"
    assert document["person"]["created_at"].endswith("+00:00")  # UTC, with its offset
    assert [i["address"] for i in document["channel_identities"]] == [f"addr-{held.id}"]
    assert [(m["direction"], m["body"]) for m in document["messages"]] == [
        ("in", "the code"),
        ("in", "I found a job"),
        ("out", "Well done!"),
    ]
    assert "attempts" not in document["messages"][0]
    assert "insert_sentinel" not in document["messages"][0]  # a number for SQLite, not data
    assert [c["granted"] for c in document["consents"]] == [True]
    assert [(c["mood"], c["note"]) for c in document["checkins"]] == [(4, "fine")]
    assert [e["reason"] for e in document["escalations"]] == ["low_mood"]
    assert [n["body"] for n in document["notes"]] == ["Met at the office"]
    assert document["conversation_state"]["data"] == {"page": 2}
    [invite] = document["invites"]
    assert "code" not in invite and invite["used_at"] is not None
    assert document["referrals"] == [] and document["appointments"] == []


def test_the_export_is_audited(client, engine, officer, held):
    client.get(f"/api/v1/persons/{held.id}/export", headers=officer["headers"])
    with Session(engine) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "person.export")).all()
    assert (event.person_id, event.actor_user_id) == (held.id, officer["id"])
    assert event.detail == {"messages": 3, "notes": 1}
    assert event.address == "testclient"


def test_outside_the_caseload_the_export_is_404_like_a_missing_person(
    client, engine, make_user, login, held
):
    make_user("officer.b@example.org")
    other = login("officer.b@example.org")
    outside = client.get(f"/api/v1/persons/{held.id}/export", headers=other)
    missing = client.get(f"/api/v1/persons/{held.id + 100}/export", headers=other)
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    with Session(engine) as session:
        exports = session.exec(select(AuditEvent).where(AuditEvent.action == "person.export"))
        assert exports.all() == []


def test_partners_and_strangers_cannot_export(client, make_user, login, held):
    make_user("ngo@example.org", "ngo")
    assert client.get(f"/api/v1/persons/{held.id}/export").status_code == 401
    ngo = login("ngo@example.org")
    assert client.get(f"/api/v1/persons/{held.id}/export", headers=ngo).status_code == 403


def test_an_erased_person_exports_only_what_is_left(client, make_user, login, held):
    make_user("admin@example.org", "admin")
    admin = login("admin@example.org")
    assert client.post(f"/api/v1/persons/{held.id}/erase", headers=admin).status_code == 200
    document = client.get(f"/api/v1/persons/{held.id}/export", headers=admin).json()
    assert document["person"]["display_name"] == "erased"
    assert document["person"]["phone_e164"] is None
    assert {m["body"] for m in document["messages"]} == {""}
    assert [n["body"] for n in document["notes"]] == [""]
    assert document["person"]["erased_at"] is not None
