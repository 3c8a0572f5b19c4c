"""Erasure: the person's words, name, phone, addresses and codes are gone from every
table; the anonymous rows the programme counts stay; nothing more is written about them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from bot.core import audit
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.models import (
    AuditEvent,
    ChannelIdentity,
    CheckIn,
    ConsentRecord,
    ConversationState,
    Escalation,
    Invite,
    Message,
    Note,
    Organisation,
    Person,
    Referral,
)
from bot.models.enums import CheckInStatus, MessageStatus, PersonStatus
from bot.services.erasure import anonymous_detail
from tests.admin.helpers import audit_actions

NAME = "Zhanargul Qwertybekova"
PHONE_DIGITS = "77015550142"
WORDS = "heliotrope unicorn under the bridge"
# The simulated phone's id is the phone number, as an SMS address would be.
ADDRESS = PHONE_DIGITS
PHONE_FORMATS = (
    "+77015550142",
    "77015550142",
    "87015550142",
    "7015550142",
    "+7 701 555 01 42",
    "8 701 555 01 42",
    "701 555 01 42",
    "(701) 555-01-42",
    "555 01 42",
    "5550142",
)


@pytest.fixture
def admin(make_user, login):
    user_id = make_user("admin@example.org", "admin")
    return {"id": user_id, "headers": login("admin@example.org")}


def _say(client, **body) -> None:
    response = client.post("/webhooks/simulator", json={"address": ADDRESS, **body})
    assert response.status_code == 200, response.text


def _person_through_the_real_flows(client, engine, officer) -> tuple[int, str]:
    """Enrolled by the API, joined from the simulated phone, writing in free text."""
    headers = officer["headers"]
    created = client.post(
        "/api/v1/persons",
        json={"display_name": NAME, "phone": "+7 701 555 01 42", "language": "en"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    person_id = created.json()["id"]
    invite = client.post(f"/api/v1/persons/{person_id}/invites", headers=headers)
    assert invite.status_code == 201, invite.text
    code = invite.json()["code"]
    _say(client, text=code)
    _say(client, choice="l_en")
    _say(client, choice="c_yes")
    _say(client, text=f"{WORDS}, my name is {NAME}, call me on 8 701 555 01 42")
    with Session(engine) as session:
        person = session.get(Person, person_id)
        assert person.status == PersonStatus.active and person.consent_given is True
    assert client.post(f"/api/v1/persons/{person_id}/checkins", headers=headers).status_code == 201
    appointment = client.post(
        f"/api/v1/persons/{person_id}/appointments",
        json={
            "starts_at": (utcnow() + timedelta(days=3)).isoformat(),
            "kind": "meeting",
            "place": f"Cafe Zhanar, ask for {NAME}",
        },
        headers=headers,
    )
    assert appointment.status_code == 201, appointment.text
    _records_other_helpers_write(engine, person_id, code)
    return person_id, code


def _records_other_helpers_write(engine, person_id: int, code: str) -> None:
    """Rows whose APIs are built elsewhere (notes, escalation handling, referrals), and an
    audit detail carrying personal data, written straight to the database."""
    with session_scope(engine) as session:
        session.add(Note(person_id=person_id, body=f"{NAME} said: {WORDS}"))
        session.add(
            Escalation(
                person_id=person_id,
                reason="crisis",
                severity="critical",
                detail=f"{WORDS} ({PHONE_FORMATS[0]})",
                resolution_note=f"Called {NAME} on {PHONE_FORMATS[4]}",
            )
        )
        checkin = session.exec(select(CheckIn).where(CheckIn.person_id == person_id)).scalar()
        checkin.note = f"{WORDS}"
        state = session.get(ConversationState, person_id)
        state.data = {**state.data, "draft": WORDS, "name": NAME}
        session.add(
            Message(
                direction="out",
                channel="simulator",
                address=ADDRESS,
                person_id=person_id,
                body=f"Hello {NAME}",
                status=MessageStatus.sent,
                provider_message_id=f"{ADDRESS}:55",
            )
        )
        audit.record(
            session,
            action="person.update",
            entity_type="person",
            person_id=person_id,
            detail={"fields": ["display_name"], "old": NAME, "phone": PHONE_FORMATS[0], "n": 2},
        )
    with session_scope(engine) as session:
        organisation = Organisation(name="Partner", services=["housing"])
        session.add(organisation)
        session.flush()
        session.add(
            Referral(
                person_id=person_id,
                organisation_id=organisation.id,
                kind="housing",
                status="sent",
                shared_fields={"fields": ["name", "phone"], "name": NAME},
                note=f"{NAME} needs a bed",
            )
        )


def _counts(engine, person_id: int) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.exec(
                select(func.count()).select_from(model).where(model.person_id == person_id)
            ).scalar_one()
            for model in (Message, CheckIn, ConsentRecord, Escalation, Referral, Note, Invite)
        }


def _cell_texts(engine) -> list[tuple[str, str, str]]:
    """Every value of every column of every table, as text."""
    cells = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(table.select()).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    shown = value if isinstance(value, str) else json.dumps(value, default=str)
                    cells.append((table.name, column, shown.casefold()))
    return cells


def _found(engine, needles) -> list[tuple[str, str, str]]:
    lowered = [needle.casefold() for needle in needles]
    return [
        (table, column, needle)
        for table, column, cell in _cell_texts(engine)
        for needle in lowered
        if needle in cell
    ]


def test_erasure_leaves_no_name_phone_or_words_anywhere(client, engine, admin, officer):
    person_id, code = _person_through_the_real_flows(client, engine, officer)
    needles = (NAME, *NAME.split(), *PHONE_FORMATS, WORDS, code)
    # The search finds what it looks for before the erasure (so its silence after means
    # something), in the tables where each was written.
    before = {(table, column) for table, column, _ in _found(engine, needles)}
    assert {
        ("person", "display_name"),
        ("person", "phone_e164"),
        ("message", "body"),
        ("message", "address"),
        ("message", "provider_message_id"),
        ("channel_identity", "address"),
        ("invite", "code"),
        ("note", "body"),
        ("checkin", "note"),
        ("appointment", "place"),
        ("referral", "note"),
        ("referral", "shared_fields"),
        ("escalation", "detail"),
        ("escalation", "resolution_note"),
        ("conversation_state", "data"),
        ("audit_event", "detail"),
    } <= before
    counts = _counts(engine, person_id)

    response = client.post(f"/api/v1/persons/{person_id}/erase", headers=admin["headers"])

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed" and response.json()["erased_at"]
    assert _found(engine, needles) == []
    assert _counts(engine, person_id) == counts  # the programme's figures stay right
    with Session(engine) as session:
        person = session.get(Person, person_id)
        assert person.display_name == "erased" and person.phone_e164 is None
        assert person.status == PersonStatus.closed and person.closed_at is not None
        assert person.erased_at is not None and person.next_checkin_at is None
        identity = session.exec(
            select(ChannelIdentity).where(ChannelIdentity.person_id == person_id)
        ).scalar_one()
        assert identity.address.startswith("erased-") and not identity.reachable
        statuses = session.exec(
            select(Message.status).where(Message.person_id == person_id)
        ).scalars()
        assert MessageStatus.queued not in set(statuses)  # the outbox holds nothing for them
        checkins = session.exec(select(CheckIn).where(CheckIn.person_id == person_id)).scalars()
        assert {c.status for c in checkins} == {CheckInStatus.cancelled}
        escalation = session.exec(
            select(Escalation).where(Escalation.person_id == person_id)
        ).scalar_one()
        assert (escalation.reason, escalation.severity) == ("crisis", "critical")
        # Closed with the erasure: no one can act on it, so no deadline alerts anyone.
        assert (escalation.status, escalation.is_resolved) == ("resolved", True)
        assert escalation.resolved_at is not None and escalation.outcome is None
        [erase_event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "person.erase")
        ).scalars()
        assert (erase_event.person_id, erase_event.actor_user_id) == (person_id, admin["id"])
        assert erase_event.detail == {}
        scrubbed = session.exec(
            select(AuditEvent).where(
                AuditEvent.person_id == person_id, AuditEvent.action == "person.update"
            )
        ).scalar_one()
        assert scrubbed.detail == {"n": 2}

    # The old address is a stranger now: what it sends is not linked to the erased person.
    _say(client, text="hello again")
    with Session(engine) as session:
        [again] = session.exec(select(Message).where(Message.body == "hello again")).scalars()
        assert again.direction == "in" and again.person_id is None


def test_a_second_erasure_and_any_later_write_answer_409(client, engine, admin, officer):
    person_id, _ = _person_through_the_real_flows(client, engine, officer)
    assert (
        client.post(f"/api/v1/persons/{person_id}/erase", headers=admin["headers"]).status_code
        == 200
    )

    again = client.post(f"/api/v1/persons/{person_id}/erase", headers=admin["headers"])
    assert again.status_code == 409 and "already erased" in again.json()["detail"]
    headers = officer["headers"]
    writes = [
        client.patch(f"/api/v1/persons/{person_id}", json={"region": "Almaty"}, headers=headers),
        client.post(f"/api/v1/persons/{person_id}/invites", headers=headers),
        client.post(f"/api/v1/persons/{person_id}/checkins", headers=headers),
        client.post(
            f"/api/v1/persons/{person_id}/appointments",
            json={
                "starts_at": (utcnow() + timedelta(days=1)).isoformat(),
                "kind": "meeting",
                "place": "Office 4",
            },
            headers=headers,
        ),
    ]
    for response in writes:
        assert response.status_code == 409, response.text
        assert response.json()["detail"] == (
            "This person's data was erased; nothing more can be recorded about them."
        )
    with Session(engine) as session:
        assert session.get(Person, person_id).region is None
        assert (
            session.exec(
                select(func.count()).select_from(Invite).where(Invite.person_id == person_id)
            ).scalar_one()
            == 1
        )
    # Reading what is left still works (the anonymous record).
    assert (
        client.get(f"/api/v1/persons/{person_id}", headers=headers).json()["display_name"]
        == "erased"
    )


def test_only_admins_erase_and_an_unknown_person_is_404(client, engine, admin, officer):
    person = client.post("/api/v1/persons", json={"display_name": NAME}, headers=officer["headers"])
    person_id = person.json()["id"]
    refused = client.post(f"/api/v1/persons/{person_id}/erase", headers=officer["headers"])
    assert refused.status_code == 403
    assert client.post(f"/api/v1/persons/{person_id}/erase").status_code == 401
    unknown = client.post(f"/api/v1/persons/{person_id + 1000}/erase", headers=admin["headers"])
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Person not found."}
    assert ("person.erase", admin["id"]) not in audit_actions(engine, person_id)
    with Session(engine) as session:
        assert session.get(Person, person_id).display_name == NAME


def test_a_person_who_never_joined_is_erased_too(client, engine, admin):
    created = client.post(
        "/api/v1/persons",
        json={"display_name": NAME, "phone": "8 701 555 01 42"},
        headers=admin["headers"],
    )
    person_id = created.json()["id"]
    code = client.post(f"/api/v1/persons/{person_id}/invites", headers=admin["headers"]).json()[
        "code"
    ]

    response = client.post(f"/api/v1/persons/{person_id}/erase", headers=admin["headers"])

    assert response.status_code == 200
    assert _found(engine, (NAME, PHONE_FORMATS[0], code)) == []
    # The erased code no longer opens anything.
    with Session(engine) as session:
        invite = session.exec(select(Invite).where(Invite.person_id == person_id)).scalar_one()
        assert invite.expires_at <= utcnow()


def test_audit_details_keep_only_numbers_flags_and_id_lists():
    detail = {"n": 2, "ok": True, "ids": [1, 2], "gone": None, "name": "A", "fields": ["x"]}
    assert anonymous_detail(detail) == {"n": 2, "ok": True, "ids": [1, 2], "gone": None}


def test_the_database_search_sees_json_columns(engine):
    """The needle search reads JSON as text on both databases."""
    with session_scope(engine) as session:
        audit.record(session, action="x", entity_type="y", detail={"k": NAME})
    assert ("audit_event", "detail", NAME.casefold()) in _found(engine, (NAME,))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == 1


def test_a_partner_cannot_move_an_erased_persons_referral(
    client, engine, admin, officer, make_user, login
):
    person_id, _ = _person_through_the_real_flows(client, engine, officer)
    with Session(engine) as session:
        referral = session.exec(
            select(Referral).where(Referral.person_id == person_id)
        ).scalar_one()
    make_user("ngo@example.org", "ngo", organisation_id=referral.organisation_id)
    ngo = login("ngo@example.org")
    assert (
        client.post(f"/api/v1/persons/{person_id}/erase", headers=admin["headers"]).status_code
        == 200
    )

    response = client.post(
        f"/api/v1/referrals/{referral.id}/status", json={"status": "accepted"}, headers=ngo
    )

    assert response.status_code == 409
    with Session(engine) as session:
        assert session.get(Referral, referral.id).status == "sent"
        assert (
            session.exec(
                select(func.count())
                .select_from(Escalation)
                .where(Escalation.person_id == person_id)
            ).scalar_one()
            == 1
        )


def test_an_erased_persons_escalations_close_and_stay_closed(client, engine, admin, officer):
    person_id, _ = _person_through_the_real_flows(client, engine, officer)
    with session_scope(engine) as session:
        handled = Escalation(
            person_id=person_id,
            reason="low_mood",
            severity="medium",
            status="resolved",
            is_resolved=True,
            outcome="contacted_safe",
            resolved_at=utcnow() - timedelta(days=3),
        )
        waiting = Escalation(
            person_id=person_id,
            reason="crisis",
            severity="critical",
            ack_deadline=utcnow() - timedelta(minutes=5),
        )
        session.add_all([handled, waiting])
        session.flush()
        handled_id, waiting_id, earlier = handled.id, waiting.id, handled.resolved_at
    headers = officer["headers"]
    queue = client.get("/api/v1/escalations", headers=headers).json()
    assert {item["id"]: item["status"] for item in queue["items"]}[waiting_id] == "open"

    erased = client.post(f"/api/v1/persons/{person_id}/erase", headers=admin["headers"])
    assert erased.status_code == 200

    queue = client.get("/api/v1/escalations", headers=headers).json()
    assert {item["id"]: item["status"] for item in queue["items"]}[waiting_id] == "resolved"
    today = client.get("/api/v1/today", headers=headers).json()
    assert today["escalations"]["total"] == 0
    with Session(engine) as session:
        closed, kept = session.get(Escalation, waiting_id), session.get(Escalation, handled_id)
        assert (closed.status, closed.outcome) == ("resolved", None)
        assert (kept.outcome, kept.resolved_at) == ("contacted_safe", earlier)
    for action in ("reopen", "acknowledge"):
        moved = client.post(f"/api/v1/escalations/{waiting_id}/{action}", headers=headers)
        assert moved.status_code == 409, moved.text
        assert "erased" in moved.json()["detail"]
    with Session(engine) as session:
        assert session.get(Escalation, waiting_id).status == "resolved"
