"""Everything a partner's account is answered, read field by field: only the referral's
own facts and the details the person agreed to share, never anything else about them."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.models import CheckIn, Escalation, Message, Note, Organisation, Referral
from bot.models.enums import Direction
from tests.admin.conftest import Login, MakeUser
from tests.factories import make_enrolled

REFERRAL_KEYS = {
    "id",
    "kind",
    "status",
    "opportunity_id",
    "reason",
    "created_at",
    "updated_at",
    "sent_at",
    "accepted_at",
    "closed_at",
    "person",
}
HISTORY_KEYS = {"at", "from_status", "to_status", "by", "reason"}
SECRETS = (
    "Secretov",  # the surname: only a first name may be shared
    "+77011234567",
    "Karaganda",  # region: not agreed for this referral
    "NOTE-BODY-SECRET",
    "MESSAGE-BODY-SECRET",
    "ESCALATION-DETAIL-SECRET",
    "CHECKIN-NOTE-SECRET",
    "supervision",
    "officer",
)


def _seed(engine: Engine, officer_id: int) -> tuple[int, int]:
    person, identity = make_enrolled(
        engine,
        display_name="Aidos Secretov",
        phone_e164="+77011234567",
        region="Karaganda",
        officer_id=officer_id,
        language="kk",
    )
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        organisation = Organisation(name="Umit", services=["employment"], is_active=True)
        session.add(organisation)
        session.flush()
        session.add(Note(person_id=person.id, author_id=officer_id, body="NOTE-BODY-SECRET"))
        session.add(
            Message(
                direction=Direction.inbound,
                channel="simulator",
                address=identity.address,
                person_id=person.id,
                body="MESSAGE-BODY-SECRET",
                status="received",
            )
        )
        session.add(
            Escalation(
                person_id=person.id,
                reason="crisis",
                severity="critical",
                severity_rank=0,
                detail="ESCALATION-DETAIL-SECRET",
                ack_deadline=now,
            )
        )
        session.add(CheckIn(person_id=person.id, due_at=now, note="CHECKIN-NOTE-SECRET"))
        referral = Referral(
            person_id=person.id,
            organisation_id=organisation.id,
            kind="employment",
            status="sent",
            note="job counselling; construction",
            shared_fields={
                "fields": ["first_name", "language", "need", "contact_channel"],
                "contact_channel": "telegram",
            },
            sent_at=now,
        )
        session.add(referral)
        session.commit()
        return organisation.id, referral.id  # type: ignore[return-value]


def _assert_clean(body: Any) -> None:
    text = json.dumps(body, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret


def _assert_referral(item: dict[str, Any]) -> None:
    assert set(item) <= REFERRAL_KEYS | {"history"}, set(item) - REFERRAL_KEYS
    assert item["person"] == {
        "first_name": "Aidos",
        "language": "kk",
        "need": "job counselling; construction",
        "contact_channel": "telegram",
    }
    for event in item.get("history", []):
        assert set(event) == HISTORY_KEYS


def test_every_answer_to_a_partner_holds_only_what_was_agreed(
    client: TestClient, engine: Engine, officer: dict[str, Any], make_user: MakeUser, login: Login
) -> None:
    organisation_id, referral_id = _seed(engine, officer["id"])
    make_user("coordinator@umit.kz", role="ngo", organisation_id=organisation_id)
    headers = login("coordinator@umit.kz")

    listed = client.get("/api/v1/referrals", headers=headers).json()
    assert set(listed) == {"items", "next_after"}
    [item] = listed["items"]
    _assert_referral(item)
    _assert_clean(listed)

    detail = client.get(f"/api/v1/referrals/{referral_id}", headers=headers).json()
    _assert_referral(detail)
    _assert_clean(detail)

    url = f"/api/v1/referrals/{referral_id}/status"
    for move in ({"status": "accepted"}, {"status": "in_progress"}, {"status": "completed"}):
        answer = client.post(url, json=move, headers=headers)
        assert answer.status_code == 200, answer.text
        _assert_referral(answer.json())
        _assert_clean(answer.json())

    # Nothing else about the person is reachable from a partner's account.
    with Session(engine) as session:
        person_id = session.get(Referral, referral_id).person_id  # type: ignore[union-attr]
    for path in (
        f"/api/v1/persons/{person_id}",
        f"/api/v1/persons/{person_id}/timeline",
        f"/api/v1/persons/{person_id}/notes",
        f"/api/v1/persons/{person_id}/referrals",
        "/api/v1/escalations",
        "/api/v1/today",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code in (403, 404), path
        _assert_clean(response.json())


def test_another_organisations_referral_is_not_there(
    client: TestClient, engine: Engine, officer: dict[str, Any], make_user: MakeUser, login: Login
) -> None:
    _organisation_id, referral_id = _seed(engine, officer["id"])
    make_user("someone@else.kz", role="ngo")  # a partner of its own organisation
    headers = login("someone@else.kz")
    assert client.get(f"/api/v1/referrals/{referral_id}", headers=headers).status_code == 404
    moved = client.post(
        f"/api/v1/referrals/{referral_id}/status", json={"status": "accepted"}, headers=headers
    )
    assert moved.status_code == 404
    assert client.get("/api/v1/referrals", headers=headers).json()["items"] == []
    with Session(engine) as session:
        assert session.get(Referral, referral_id).status == "sent"  # type: ignore[union-attr]
