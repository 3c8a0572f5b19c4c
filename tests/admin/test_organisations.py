"""Partner organisations and their openings through the API: who may do what, what is
refused and why, and what the chat offers afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.models import Organisation, User
from bot.pipeline.directory import load_directory
from bot.services import InvalidInput
from bot.services.organisations import create_organisation
from tests.admin.conftest import Login, MakeUser

ORG = {
    "name": "Umit Centre",
    "services": ["employment", "housing"],
    "regions": ["Karaganda"],
    "languages": ["ru", "kk"],
    "contact_email": "Intake@Umit.example",
    "contact_phone": "8 701 123 45 67",
    "address": "ул. Бухар-Жырау, 45",
    "opening_hours": "Пн–Пт 9:00–18:00",
}


@pytest.fixture
def admin(make_user: MakeUser, login: Login) -> dict[str, str]:
    make_user("admin@example.org", role="admin")
    return login("admin@example.org")


def _create(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/organisations", json={**ORG, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_organisation_is_created_cleaned_and_its_secret_shown_once(
    client: TestClient, admin: dict[str, str]
) -> None:
    created = _create(client, admin, webhook_url="http://127.0.0.1:9000/hook")
    assert created["contact_phone"] == "+77011234567"
    assert created["contact_email"] == "intake@umit.example"
    assert created["webhook_secret"].startswith("whsec_") and created["has_webhook_secret"]
    again = client.get(f"/api/v1/organisations/{created['id']}", headers=admin).json()
    assert again["webhook_secret"] is None and again["has_webhook_secret"] is True
    listed = client.get("/api/v1/organisations", headers=admin).json()
    assert [o["name"] for o in listed["items"]] == ["Umit Centre"]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"contact_phone": "12"}, "not a valid number"),
        ({"services": []}, "services"),
        ({"services": ["astrology"]}, "services"),
        ({"languages": ["de"]}, "languages"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"webhook_url": "ftp://hooks.example/x"}, "webhook_url"),
        ({"name": "Umit\u202eCentre"}, "name"),
    ],
)
def test_bad_fields_are_refused_with_what_to_fix(
    client: TestClient, admin: dict[str, str], fields: dict[str, Any], words: str
) -> None:
    response = client.post("/api/v1/organisations", json={**ORG, **fields}, headers=admin)
    assert response.status_code == 422 and words in response.text, response.text


def test_a_second_organisation_of_the_same_name_is_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    _create(client, admin)
    response = client.post("/api/v1/organisations", json=ORG, headers=admin)
    assert response.status_code == 422 and "exists" in response.text


def test_production_refuses_a_webhook_to_a_private_address(
    engine: Engine, settings: Settings
) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with Session(engine) as session:
        actor = User(email="a@example.org", password_hash="x", role="admin")
        for url in ("http://hooks.example/in", "https://127.0.0.1/in", "https://10.0.0.5/in"):
            with pytest.raises(InvalidInput) as refused:
                create_organisation(
                    session,
                    production,
                    {**ORG, "services": ["employment"], "webhook_url": url},
                    actor=actor,
                    now=utcnow(),
                )
            assert refused.value.field == "webhook_url"


def test_only_admins_manage_organisations(
    client: TestClient, officer: dict[str, Any], make_user: MakeUser, login: Login
) -> None:
    assert (
        client.post("/api/v1/organisations", json=ORG, headers=officer["headers"]).status_code
        == 403
    )
    make_user("ngo@example.org", role="ngo")
    assert client.get("/api/v1/organisations", headers=login("ngo@example.org")).status_code == 403


def test_a_deactivated_organisation_leaves_the_directory(
    client: TestClient, engine: Engine, admin: dict[str, str]
) -> None:
    created = _create(client, admin)
    with Session(engine) as session:
        before = load_directory(session, "Karaganda", "ru", 20, utcnow())
    assert [o.name for o in before.organisations] == ["Umit Centre"]
    patched = client.patch(
        f"/api/v1/organisations/{created['id']}", json={"is_active": False}, headers=admin
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    with Session(engine) as session:
        assert load_directory(session, "Karaganda", "ru", 20, utcnow()).organisations == ()


# --- opportunities


def _org_row(engine: Engine, name: str) -> int:
    with Session(engine, expire_on_commit=False) as session:
        organisation = Organisation(name=name, services=["employment"], regions=["Karaganda"])
        session.add(organisation)
        session.commit()
        return organisation.id  # type: ignore[return-value]


JOB = {
    "kind": "employment",
    "field": "construction",
    "region": "Astana",
    "title": {"ru": "Помощник сварщика", "kk": "Дәнекерлеуші көмекшісі"},
    "description": {"ru": "Обучение на месте"},
    "how_to_apply": {"ru": "Позвоните в центр"},
    "capacity": 2,
}


def test_a_partner_manages_only_its_own_openings(
    client: TestClient, engine: Engine, make_user: MakeUser, login: Login
) -> None:
    mine, theirs = _org_row(engine, "Mine"), _org_row(engine, "Theirs")
    make_user("ngo@mine.kz", role="ngo", organisation_id=mine)
    make_user("ngo@theirs.kz", role="ngo", organisation_id=theirs)
    me, them = login("ngo@mine.kz"), login("ngo@theirs.kz")

    created = client.post(
        "/api/v1/opportunities", json={**JOB, "organisation_id": mine}, headers=me
    )
    assert created.status_code == 201, created.text
    opening = created.json()
    assert opening["title"] == JOB["title"] and opening["status"] == "open"

    foreign = client.post(
        "/api/v1/opportunities", json={**JOB, "organisation_id": mine}, headers=them
    )
    assert foreign.status_code == 404
    url = f"/api/v1/opportunities/{opening['id']}"
    assert client.patch(url, json={"status": "closed"}, headers=them).status_code == 404
    assert client.get(url, headers=them).status_code == 404
    assert client.get("/api/v1/opportunities", headers=them).json()["items"] == []

    closed = client.patch(url, json={"status": "closed", "capacity": None}, headers=me)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["capacity"] is None


def test_a_closed_or_full_opening_is_never_offered(
    client: TestClient, engine: Engine, officer: dict[str, Any]
) -> None:
    org = _org_row(engine, "Mine")
    opening = client.post(
        "/api/v1/opportunities",
        json={**JOB, "organisation_id": org, "region": "Karaganda"},
        headers=officer["headers"],
    ).json()
    with Session(engine) as session:
        shown = load_directory(session, "Karaganda", "ru", 20, utcnow()).opportunities
    assert [o.title for o in shown] == ["Помощник сварщика"]
    with Session(engine) as session:
        assert load_directory(session, "Karaganda", "en", 20, utcnow()).opportunities == ()
    client.patch(
        f"/api/v1/opportunities/{opening['id']}",
        json={"status": "closed"},
        headers=officer["headers"],
    )
    with Session(engine) as session:
        assert load_directory(session, "Karaganda", "ru", 20, utcnow()).opportunities == ()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"title": {}}, "title"),
        ({"title": {"fr": "Soudeur"}}, "title"),
        ({"description": {"en": "Training"}}, "the title is not"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"closes_at": "2027-01-01T10:00:00"}, "time zone"),
        ({"field": "astronaut"}, "field"),
    ],
)
def test_bad_openings_are_refused_with_what_to_fix(
    client: TestClient, engine: Engine, officer: dict[str, Any], fields: dict[str, Any], words: str
) -> None:
    org = _org_row(engine, "Mine")
    body = {**JOB, "organisation_id": org, **fields}
    response = client.post("/api/v1/opportunities", json=body, headers=officer["headers"])
    assert response.status_code == 422 and words in response.text, response.text
