"""Partners' referrals: their own only, only the shared fields, explicit transitions,
and the person told of each decision."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.models import Message, Organisation, Referral, User
from tests.admin.helpers import audit_actions
from tests.factories import make_enrolled


def _org(engine, name: str) -> int:
    with Session(engine, expire_on_commit=False) as session:
        org = Organisation(name=name, services=["employment"], regions=["Karaganda"])
        session.add(org)
        session.commit()
        return org.id


def _referral(engine, person_id: int, org_id: int, fields: list[str]) -> int:
    with Session(engine, expire_on_commit=False) as session:
        referral = Referral(
            person_id=person_id,
            organisation_id=org_id,
            kind="employment",
            status="sent",
            shared_fields={"fields": fields},
        )
        session.add(referral)
        session.commit()
        return referral.id


def _setup(engine, make_user, login):
    mine, theirs = _org(engine, "Жол Ашық"), _org(engine, "Other NGO")
    person, _identity = make_enrolled(
        engine, language="en", display_name="Aidos", phone_e164="+77011234567", region="Karaganda"
    )
    shared = _referral(engine, person.id, mine, ["name"])
    other = _referral(engine, person.id, theirs, ["name", "phone"])
    make_user("coordinator@ngo.kz", role="ngo", organisation_id=mine)
    return person, shared, other, login("coordinator@ngo.kz")


def test_a_partner_sees_only_its_referrals_and_only_the_shared_fields(
    client, engine, make_user, login
):
    _person, shared, other, headers = _setup(engine, make_user, login)

    body = client.get("/api/v1/referrals", headers=headers).json()

    assert [item["id"] for item in body["items"]] == [shared]
    # "name" (an older referral's word) reads as the first name; no phone: not agreed.
    assert body["items"][0]["person"] == {"first_name": "Aidos"}
    assert "+7701" not in str(body)
    assert (
        client.post(
            f"/api/v1/referrals/{other}/status", json={"status": "accepted"}, headers=headers
        ).status_code
        == 404
    )


def test_accepting_tells_the_person_once_and_is_audited(client, engine, make_user, login):
    person, shared, _, headers = _setup(engine, make_user, login)
    url = f"/api/v1/referrals/{shared}/status"

    first = client.post(url, json={"status": "accepted"}, headers=headers)
    again = client.post(url, json={"status": "accepted"}, headers=headers)

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "accepted"
    with Session(engine) as session:
        told = session.exec(select(Message).where(Message.kind == "referral")).all()
    assert len(told) == 1 and "Жол Ашық" in told[0].body
    assert any(action == "referral.status" for action, _ in audit_actions(engine, person.id))


def test_completion_asks_whether_it_helped(client, engine, make_user, login):
    _person, shared, _, headers = _setup(engine, make_user, login)
    url = f"/api/v1/referrals/{shared}/status"
    client.post(url, json={"status": "accepted"}, headers=headers)

    done = client.post(
        url, json={"status": "completed", "reason": "Started on Monday"}, headers=headers
    )

    assert done.status_code == 200
    with Session(engine) as session:
        last = session.exec(
            select(Message).where(Message.kind == "referral").order_by(col(Message.id).desc())
        ).first()
    assert [c["label"] for c in last.choices][:5] == ["1", "2", "3", "4", "5"]


def test_impossible_moves_are_refused_with_409_and_bad_values_with_422(
    client, engine, make_user, login
):
    _, shared, _, headers = _setup(engine, make_user, login)
    url = f"/api/v1/referrals/{shared}/status"
    no_reason = client.post(url, json={"status": "declined"}, headers=headers)
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    declined = client.post(
        url, json={"status": "declined", "reason": "no places this month"}, headers=headers
    )
    assert declined.status_code == 200 and declined.json()["reason"] == "no places this month"

    again = client.post(url, json={"status": "accepted"}, headers=headers)
    assert again.status_code == 409 and "declined" in again.text
    for body in ({"status": "cancelled"}, {"status": "maybe"}, {}, {"status": "accepted", "x": 1}):
        assert client.post(url, json=body, headers=headers).status_code == 422, body


def test_officers_cannot_use_the_partner_endpoints(client, engine, officer):
    assert client.get("/api/v1/referrals", headers=officer["headers"]).status_code == 403
    response = client.post(
        "/api/v1/referrals/1/status", json={"status": "accepted"}, headers=officer["headers"]
    )
    assert response.status_code == 403


def _set_organisation(engine, org_id: int, **fields) -> None:
    with Session(engine) as session:
        org = session.get(Organisation, org_id)
        for name, value in fields.items():
            setattr(org, name, value)
        session.add(org)
        session.commit()


def test_a_deactivated_organisation_can_no_longer_read_or_change_its_referrals(
    client, engine, make_user, login
):
    person, shared, _, headers = _setup(engine, make_user, login)
    assert client.get("/api/v1/referrals", headers=headers).status_code == 200
    with Session(engine) as session:
        org_id = session.get(Referral, shared).organisation_id
    _set_organisation(engine, org_id, is_active=False)

    listed = client.get("/api/v1/referrals", headers=headers)
    changed = client.post(
        f"/api/v1/referrals/{shared}/status", json={"status": "accepted"}, headers=headers
    )

    for response in (listed, changed):
        assert response.status_code == 403
        assert "no longer an active partner" in response.json()["detail"]
    with Session(engine) as session:
        assert session.get(Referral, shared).status == "sent"
        assert session.exec(select(Message).where(Message.kind == "referral")).all() == []
    assert not any(a == "referral.status" for a, _ in audit_actions(engine, person.id))

    _set_organisation(engine, org_id, is_active=True)  # reactivated: open again
    assert client.get("/api/v1/referrals", headers=headers).status_code == 200


def test_an_ngo_account_without_an_organisation_is_refused(client, engine, make_user, login):
    _, shared, _, _ = _setup(engine, make_user, login)
    user_id = make_user("orphan@ngo.kz", role="ngo", organisation_id=_org(engine, "Gone NGO"))
    headers = login("orphan@ngo.kz")
    with Session(engine) as session:
        user = session.get(User, user_id)
        user.organisation_id = None
        session.add(user)
        session.commit()

    for response in (
        client.get("/api/v1/referrals", headers=headers),
        client.post(
            f"/api/v1/referrals/{shared}/status", json={"status": "accepted"}, headers=headers
        ),
    ):
        assert response.status_code == 403
        assert "no partner organisation" in response.json()["detail"]


def test_referral_ids_cursors_and_filters_are_validated(client, engine, make_user, login):
    _, _, _, headers = _setup(engine, make_user, login)
    for params in ({"after": 2**31}, {"after": 2**63}, {"after": -1}, {"status": "x" * 50}):
        response = client.get("/api/v1/referrals", params=params, headers=headers)
        assert response.status_code == 422, params
    for referral_id in (0, 2**31, 2**63):
        response = client.post(
            f"/api/v1/referrals/{referral_id}/status", json={"status": "accepted"}, headers=headers
        )
        assert response.status_code == 422, referral_id
