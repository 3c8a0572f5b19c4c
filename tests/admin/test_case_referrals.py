"""An officer refers a person to a partner: the person is asked first, in their own words
the answer counts, only a yes reaches the partner; cancelling, declining, the history on
the timeline, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.settings import Settings
from bot.models import Escalation, Message, Organisation, Referral
from bot.models.enums import Direction
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.admin.conftest import Login, MakeUser
from tests.factories import make_enrolled, make_person


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Partner e-mails are queued (no dispatcher runs in these tests).
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_from": "noreply@jolserik.example"}
    )


def _organisation(engine: Engine, name: str = "Жол Ашық", **fields: Any) -> int:
    values: dict[str, Any] = {
        "name": name,
        "services": ["employment", "legal_aid"],
        "regions": ["Karaganda"],
        "contact_email": "intake@zholashyk.example",
    }
    values.update(fields)
    with Session(engine, expire_on_commit=False) as session:
        organisation = Organisation(**values)
        session.add(organisation)
        session.commit()
        assert organisation.id is not None
        return organisation.id


def _case(engine: Engine, officer_id: int, language: str = "ru"):  # type: ignore[no-untyped-def]
    return make_enrolled(
        engine,
        language=language,
        display_name="Aidos Secretov",
        phone_e164="+77011234567",
        region="Karaganda",
        officer_id=officer_id,
    )


def _say(engine: Engine, settings: Settings, address: str, text: str, pid: str) -> None:
    process_inbound(
        engine,
        InboundMessage(channel="simulator", address=address, provider_message_id=pid, text=text),
        settings=settings,
    )


def _to_person(engine: Engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Message)
            .where(Message.person_id == person_id, Message.direction == Direction.outbound)
            .order_by(col(Message.id))
        ).all()
        return [m.body for m in rows]


def _partner_mails(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(Message).where(Message.kind == "partner_notice")).all()
        return [m.body.split("\n")[0] for m in rows]


def _propose(client: TestClient, headers: dict[str, str], person_id: int, **body: Any):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/persons/{person_id}/referrals", json=body, headers=headers)


@pytest.mark.parametrize(
    ("language", "answer"),
    [
        ("ru", "да"),
        ("ru", "Да, согласен"),
        ("ru", "даа конечно"),
        ("ru", "da"),
        ("kk", "иә"),
        ("kk", "ия келісемін"),
        ("en", "yes please"),
        ("en", "ok"),
    ],
)
def test_a_yes_in_the_persons_own_words_sends_the_referral(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    officer: dict[str, Any],
    make_user: MakeUser,
    login: Login,
    language: str,
    answer: str,
) -> None:
    org = _organisation(engine)
    person, identity = _case(engine, officer["id"], language)
    make_user("coordinator@zholashyk.kz", role="ngo", organisation_id=org)
    partner = login("coordinator@zholashyk.kz")

    proposed = _propose(
        client,
        officer["headers"],
        person.id,
        organisation_id=org,
        kind="employment",
        note="job counselling; construction",
    )
    assert proposed.status_code == 201, proposed.text
    referral = proposed.json()
    assert referral["status"] == "proposed"
    assert referral["shared_fields"] == ["first_name", "language", "need", "contact_channel"]
    # The partner sees nothing yet, and is told nothing.
    assert client.get("/api/v1/referrals", headers=partner).json()["items"] == []
    assert client.get(f"/api/v1/referrals/{referral['id']}", headers=partner).status_code == 404
    assert _partner_mails(engine) == []
    about, question = _to_person(engine, person.id)
    assert "Жол Ашық" in about and "Жол Ашық" in question
    assert question.count(", ") == 3  # the four details it would receive, named

    _say(engine, settings, identity.address, answer, "a1")

    listed = client.get("/api/v1/referrals", headers=partner).json()["items"]
    assert [item["id"] for item in listed] == [referral["id"]]
    assert listed[0]["status"] == "sent"
    assert listed[0]["person"] == {
        "first_name": "Aidos",
        "language": language,
        "need": "job counselling; construction",
        "contact_channel": "simulator",
    }
    assert len(_partner_mails(engine)) == 1
    case = client.get(f"/api/v1/persons/{person.id}/referrals", headers=officer["headers"])
    [mine] = case.json()["items"]
    assert [(e["from_status"], e["to_status"], e["actor_kind"]) for e in mine["history"]] == [
        (None, "proposed", "officer"),
        ("proposed", "sent", "person"),
    ]


@pytest.mark.parametrize(
    ("language", "answer"), [("ru", "нет, не надо"), ("kk", "жоқ"), ("en", "no thanks")]
)
def test_a_no_shares_nothing_and_the_officer_sees_why(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    officer: dict[str, Any],
    language: str,
    answer: str,
) -> None:
    org = _organisation(engine)
    person, identity = _case(engine, officer["id"], language)
    referral_id = _propose(
        client, officer["headers"], person.id, organisation_id=org, kind="legal_aid"
    ).json()["id"]

    _say(engine, settings, identity.address, answer, "a1")

    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.status == "cancelled"
        assert referral.reason and "did not agree" in referral.reason
    assert _partner_mails(engine) == []
    timeline = client.get(f"/api/v1/persons/{person.id}/timeline", headers=officer["headers"])
    moves = [i for i in timeline.json()["items"] if i["type"] == "referral_event"]
    assert [(m["to_status"], m["actor_kind"]) for m in moves] == [
        ("cancelled", "person"),
        ("proposed", "officer"),
    ]


def test_the_officer_chooses_what_is_shared_and_the_person_is_told_exactly_that(
    client: TestClient, engine: Engine, officer: dict[str, Any]
) -> None:
    org = _organisation(engine)
    person, _ = _case(engine, officer["id"], "en")
    response = _propose(
        client,
        officer["headers"],
        person.id,
        organisation_id=org,
        kind="employment",
        fields=["first_name", "phone"],
    )
    assert response.status_code == 201
    _about, question = _to_person(engine, person.id)
    assert "only: your first name, phone number?" in question
    assert "language" not in question and "city" not in question


def test_cancelling_tells_a_partner_that_had_it(
    client: TestClient, engine: Engine, settings: Settings, officer: dict[str, Any]
) -> None:
    org = _organisation(engine)
    person, identity = _case(engine, officer["id"])
    referral_id = _propose(
        client, officer["headers"], person.id, organisation_id=org, kind="employment"
    ).json()["id"]
    _say(engine, settings, identity.address, "да", "a1")
    url = f"/api/v1/persons/{person.id}/referrals/{referral_id}/cancel"

    assert client.post(url, json={}, headers=officer["headers"]).status_code == 422
    done = client.post(url, json={"reason": "found work himself"}, headers=officer["headers"])
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert done.json()["reason"] == "found work himself"
    assert len(_partner_mails(engine)) == 2  # the new referral, then its cancellation
    again = client.post(url, json={"reason": "twice"}, headers=officer["headers"])
    assert again.status_code == 409


def test_a_decline_opens_a_low_escalation_and_tells_the_person(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    officer: dict[str, Any],
    make_user: MakeUser,
    login: Login,
) -> None:
    org = _organisation(engine)
    person, identity = _case(engine, officer["id"])
    make_user("coordinator@zholashyk.kz", role="ngo", organisation_id=org)
    partner = login("coordinator@zholashyk.kz")
    referral_id = _propose(
        client, officer["headers"], person.id, organisation_id=org, kind="employment"
    ).json()["id"]
    _say(engine, settings, identity.address, "да", "a1")

    declined = client.post(
        f"/api/v1/referrals/{referral_id}/status",
        json={"status": "declined", "reason": "no places until spring"},
        headers=partner,
    )
    assert declined.status_code == 200
    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
    assert (escalation.reason, escalation.severity) == ("referral_declined", "low")
    assert "Жол Ашық" in escalation.detail
    assert "Жол Ашық" in _to_person(engine, person.id)[-1]
    detail = client.get(f"/api/v1/referrals/{referral_id}", headers=partner).json()
    assert [(h["to_status"], h["by"], h["reason"]) for h in detail["history"]] == [
        ("proposed", "programme", None),
        ("sent", "person", None),
        ("declined", "partner", "no places until spring"),
    ]


def test_refusals(
    client: TestClient, engine: Engine, officer: dict[str, Any], make_user: MakeUser, login: Login
) -> None:
    org = _organisation(engine)
    closed = _organisation(engine, "Closed NGO", is_active=False)
    person, _ = _case(engine, officer["id"])
    headers = officer["headers"]

    cases = [
        ({"organisation_id": closed, "kind": "employment"}, 422, "no longer takes referrals"),
        ({"organisation_id": org, "kind": "housing"}, 422, "does not offer housing"),
        ({"organisation_id": 999999, "kind": "employment"}, 422, "no such organisation"),
        ({"organisation_id": org, "kind": "employment", "fields": ["notes"]}, 422, "fields"),
        ({"organisation_id": org, "kind": "employment", "fields": []}, 422, "fields"),
        ({"organisation_id": org, "kind": "spaceflight"}, 422, "kind"),
    ]
    for body, code, words in cases:
        response = _propose(client, headers, person.id, **body)
        assert response.status_code == code, (body, response.text)
        assert words in response.text, (body, response.text)

    assert (
        _propose(client, headers, person.id, organisation_id=org, kind="employment").status_code
        == 201
    )
    twice = _propose(client, headers, person.id, organisation_id=org, kind="employment")
    assert twice.status_code == 409 and "open referral" in twice.text

    unreachable = make_person(engine, status="active", consent_given=True, officer_id=officer["id"])
    response = _propose(client, headers, unreachable.id, organisation_id=org, kind="employment")
    assert response.status_code == 409 and "no channel reaches" in response.text
    with Session(engine) as session:
        assert not session.exec(select(Referral).where(Referral.person_id == unreachable.id)).all()

    make_user("other.officer@example.org")
    other = login("other.officer@example.org")
    assert (
        _propose(client, other, person.id, organisation_id=org, kind="employment").status_code
        == 404
    )
    make_user("coordinator@zholashyk.kz", role="ngo", organisation_id=org)
    ngo = login("coordinator@zholashyk.kz")
    assert (
        _propose(client, ngo, person.id, organisation_id=org, kind="employment").status_code == 403
    )


def test_a_yes_after_the_partner_was_deactivated_reaches_the_officer_not_the_partner(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    officer: dict[str, Any],
) -> None:
    org = _organisation(engine)
    person, identity = _case(engine, officer["id"], "ru")
    referral_id = _propose(
        client, officer["headers"], person.id, organisation_id=org, kind="employment"
    ).json()["id"]
    with Session(engine) as session:
        organisation = session.get(Organisation, org)
        assert organisation is not None
        organisation.is_active = False
        session.add(organisation)
        session.commit()

    _say(engine, settings, identity.address, "да, согласен", "a1")

    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.status == "cancelled"
        assert referral.consent_at is None
        escalations = session.exec(
            select(Escalation).where(Escalation.person_id == person.id)
        ).all()
    assert [(e.reason, e.severity) for e in escalations] == [("referral_declined", "low")]
    assert _partner_mails(engine) == []
