"""The referrals board: a partner sees only their organisation's referrals with only the
shared fields and moves them; officers see their caseload's; openings are managed by
their organisation's staff."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.models import Escalation, Message, Opportunity, Organisation, Referral
from tests.factories import make_enrolled
from tests.panel.conftest import SignIn, csrf_of


def _organisation(engine: Engine, name: str, **fields: object) -> int:
    with Session(engine) as session:
        organisation = Organisation(name=name, services=["employment", "housing"], **fields)
        session.add(organisation)
        session.commit()
        return organisation.id  # type: ignore[return-value]


def _referral(engine: Engine, person_id: int, org: int, status: str = "sent", **fields) -> int:  # type: ignore[no-untyped-def]
    now = utcnow()
    with Session(engine) as session:
        referral = Referral(
            person_id=person_id,
            organisation_id=org,
            kind="employment",
            status=status,
            note="ищет работу сварщиком",
            shared_fields={"fields": ["first_name", "need"], "contact_channel": "telegram"},
            sent_at=now if status != "proposed" else None,
            created_at=now,
            updated_at=now,
            **fields,
        )
        session.add(referral)
        session.commit()
        return referral.id  # type: ignore[return-value]


def test_a_partner_sees_and_moves_only_their_own_with_only_the_shared_fields(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org")
    ours = _organisation(engine, "Жол Ашық")
    theirs = _organisation(engine, "Другой фонд")
    staff("coordinator@zholashyk.kz", role="ngo", organisation_id=ours, language="en")
    person, _ = make_enrolled(
        engine,
        display_name="Aidos Seitkali",
        phone_e164="+77011234567",
        region="Karaganda",
        officer_id=officer,
    )
    mine = _referral(engine, person.id, ours)
    other = _referral(engine, person.id, theirs)
    hidden = _referral(engine, person.id, ours, status="proposed")

    sign_in("coordinator@zholashyk.kz")
    board = client.get("/panel/referrals")
    assert board.status_code == 200
    assert f'id="r-{mine}"' in board.text
    assert f'id="r-{other}"' not in board.text and f'id="r-{hidden}"' not in board.text
    assert "Aidos" in board.text and "ищет работу сварщиком" in board.text
    for secret in ("Seitkali", "7011234567", "Karaganda", f"/panel/cases/{person.id}"):
        assert secret not in board.text, secret
    token = csrf_of(board.text)

    # Another organisation's referral, and a person's case page: the API's 404.
    for url, data in (
        (f"/panel/referrals/{other}/status", {"status": "accepted"}),
        (f"/panel/referrals/{hidden}/status", {"status": "accepted"}),
    ):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 404, url
    assert client.get(f"/panel/cases/{person.id}").status_code == 404
    own = client.get(f"/panel/referrals/{mine}")
    assert own.status_code == 200 and "ищет работу сварщиком" in own.text
    assert "Seitkali" not in own.text and "7011234567" not in own.text
    for other_id in (other, hidden, 999999999):
        response = client.get(f"/panel/referrals/{other_id}")
        assert response.status_code == 404 and "Aidos" not in response.text

    no_reason = client.post(
        f"/panel/referrals/{mine}/status", data={"status": "declined", "csrf_token": token}
    )
    assert no_reason.status_code == 422 and 'role="alert"' in no_reason.text
    accepted = client.post(
        f"/panel/referrals/{mine}/status",
        data={"status": "accepted", "csrf_token": token},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    backwards = client.post(
        f"/panel/referrals/{mine}/status",
        data={"status": "declined", "reason": "x", "csrf_token": token},
    )
    assert backwards.status_code == 409
    with Session(engine) as session:
        assert session.get(Referral, mine).status == "accepted"  # type: ignore[union-attr]
        assert session.get(Referral, other).status == "sent"  # type: ignore[union-attr]
        told = session.exec(
            select(Message).where(Message.person_id == person.id, Message.kind == "referral")
        ).all()
    assert len(told) == 1  # the person hears of the acceptance

    page = client.get("/panel/referrals")
    assert "Start work" in page.text and "Mark completed" in page.text


def test_a_decline_with_a_reason_reaches_the_officer(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org")
    ours = _organisation(engine, "Жол Ашық")
    staff("coordinator@zholashyk.kz", role="ngo", organisation_id=ours)
    person, _ = make_enrolled(engine, display_name="Aidos Seitkali", officer_id=officer)
    mine = _referral(engine, person.id, ours)
    sign_in("coordinator@zholashyk.kz")
    token = csrf_of(client.get("/panel/referrals").text)
    declined = client.post(
        f"/panel/referrals/{mine}/status",
        data={"status": "declined", "reason": "нет мест до весны", "csrf_token": token},
        follow_redirects=False,
    )
    assert declined.status_code == 303
    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
    assert escalation.person_id == person.id and escalation.reason == "referral_declined"


def test_officers_see_their_caseloads_referrals_and_a_closed_partner_nothing(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    other_officer = staff("other@example.org")
    org = _organisation(engine, "Жол Ашық")
    closed = _organisation(engine, "Закрытый фонд", is_active=False)
    staff("gone@closed.kz", role="ngo", organisation_id=closed)
    mine, _ = make_enrolled(engine, display_name="Aidos Seitkali", officer_id=officer)
    theirs, _ = make_enrolled(engine, display_name="Berik Other", officer_id=other_officer)
    proposed = _referral(engine, mine.id, org, status="proposed")
    _referral(engine, theirs.id, org)
    _referral(engine, mine.id, closed)

    sign_in("officer@example.org")
    board = client.get("/panel/referrals")
    assert board.status_code == 200
    assert f'id="r-{proposed}"' in board.text and f"/panel/cases/{mine.id}" in board.text
    assert "Berik" not in board.text
    assert "Accept" not in board.text  # officers do not move a partner's referral
    assert client.get(f"/panel/referrals/{proposed}").status_code == 404
    token = csrf_of(board.text)
    response = client.post(
        f"/panel/referrals/{proposed}/status", data={"status": "sent", "csrf_token": token}
    )
    assert response.status_code == 404

    client.cookies.clear()
    sign_in("gone@closed.kz")
    closed_board = client.get("/panel/referrals")
    assert closed_board.status_code == 403 and "Aidos" not in closed_board.text
    assert client.get("/panel/referrals?status=nonsense").status_code == 422


def test_partner_staff_manage_their_own_openings(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    ours = _organisation(engine, "Жол Ашық")
    theirs = _organisation(engine, "Другой фонд")
    staff("coordinator@zholashyk.kz", role="ngo", organisation_id=ours, language="en")
    with Session(engine) as session:
        foreign = Opportunity(organisation_id=theirs, kind="employment", title={"ru": "Чужая"})
        session.add(foreign)
        session.commit()
        foreign_id = foreign.id
    sign_in("coordinator@zholashyk.kz")
    page = client.get("/panel/opportunities")
    assert page.status_code == 200 and "Чужая" not in page.text
    token = csrf_of(page.text)

    untitled = client.post(
        "/panel/opportunities",
        data={"kind": "employment", "description_ru": "без названия", "csrf_token": token},
    )
    assert untitled.status_code == 422 and 'role="alert"' in untitled.text
    bad_capacity = client.post(
        "/panel/opportunities",
        data={
            "kind": "employment",
            "title_ru": "Сварщик",
            "capacity": "много",
            "csrf_token": token,
        },
    )
    assert bad_capacity.status_code == 422 and "capacity" in bad_capacity.text
    made = client.post(
        "/panel/opportunities",
        data={
            "kind": "employment",
            "region": "Karaganda",
            "capacity": "3",
            "title_ru": "Сварщик на стройке",
            "title_kk": "Құрылыста дәнекерлеуші",
            "description_ru": "Полный день, обучение на месте",
            "how_to_apply_ru": "Позвонить Айгуль",
            "organisation_id": str(theirs),  # ignored: staff add to their own
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    with Session(engine) as session:
        [opening] = session.exec(
            select(Opportunity).where(Opportunity.organisation_id == ours)
        ).all()
        assert opening.title == {"ru": "Сварщик на стройке", "kk": "Құрылыста дәнекерлеуші"}
        assert opening.capacity == 3 and opening.status == "open"
        assert (
            session.exec(select(Opportunity).order_by(col(Opportunity.id))).all()[0].id
            == foreign_id
        )

    closed = client.post(
        f"/panel/opportunities/{opening.id}/status",
        data={"status": "closed", "csrf_token": token},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    foreign_close = client.post(
        f"/panel/opportunities/{foreign_id}/status", data={"status": "closed", "csrf_token": token}
    )
    assert foreign_close.status_code == 404
    with Session(engine) as session:
        assert session.get(Opportunity, opening.id).status == "closed"  # type: ignore[union-attr]
        assert session.get(Opportunity, foreign_id).status == "open"  # type: ignore[union-attr]
