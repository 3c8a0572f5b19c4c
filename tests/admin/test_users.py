"""The users API (admins only): create, list, read, change, deactivate."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.models import AuditEvent, Organisation
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import PASSWORD

URL = "/api/v1/users"
PUBLIC_FIELDS = {
    "id",
    "email",
    "full_name",
    "role",
    "supervisor_id",
    "organisation_id",
    "region",
    "is_active",
    "language",
    "timezone",
    "totp_enabled",
    "created_at",
    "password_changed_at",
}


@pytest.fixture
def admin(make_user: MakeUser, login: Login) -> dict[str, Any]:
    user_id = make_user("admin@example.org", "admin")
    return {"id": user_id, "headers": login("admin@example.org")}


@pytest.fixture
def organisation_id(engine: Engine) -> int:
    with session_scope(engine) as session:
        organisation = Organisation(name="Shanyrak", services=["housing"])
        session.add(organisation)
        session.flush()
        assert organisation.id is not None
        return organisation.id


def _create(client: TestClient, admin: dict[str, Any], **fields: Any):  # type: ignore[no-untyped-def]
    body = {"email": "new.officer@example.org", "password": PASSWORD, "role": "officer"} | fields
    return client.post(URL, json=body, headers=admin["headers"])


def test_create_an_officer_with_a_supervisor(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser, engine: Engine
) -> None:
    supervisor_id = make_user("boss@example.org", "supervisor")

    response = _create(
        client,
        admin,
        email="New.Officer@Example.org",
        full_name="Aigerim Officer",
        supervisor_id=supervisor_id,
        region="Almaty",
        language="kk",
        timezone="Asia/Aqtobe",
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == PUBLIC_FIELDS  # never a hash or a secret
    assert (body["email"], body["role"], body["supervisor_id"]) == (
        "new.officer@example.org",
        "officer",
        supervisor_id,
    )
    assert (body["language"], body["timezone"], body["totp_enabled"]) == (
        "kk",
        "Asia/Aqtobe",
        False,
    )
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": "new.officer@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).all()[-1]
    assert (event.entity_id, event.actor_user_id) == (body["id"], admin["id"])


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"password": "too short"}, "password"),
        ({"password": "x" * 2000}, "password"),
        ({"role": "superuser"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "admin@example.org"}, "already exists"),
        ({"role": "ngo"}, "required for an ngo account"),
        ({"organisation_id": 1}, "only ngo accounts"),
        ({"supervisor_id": 999999}, "no active supervisor"),
        ({"supervisor_id": 2**31}, "supervisor_id"),
        ({"timezone": "Mars/Olympus"}, "IANA"),
        ({"language": "de"}, "language"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_create_refuses_bad_input(
    client: TestClient, admin: dict[str, Any], fields: dict[str, Any], fragment: str
) -> None:
    response = _create(client, admin, **fields)
    assert response.status_code == 422, response.text
    assert fragment in response.text


def test_supervisor_must_be_an_active_supervisor_or_admin(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser
) -> None:
    officer_id = make_user("plain@example.org")
    gone_id = make_user("gone@example.org", "supervisor", is_active=False)
    for supervisor_id in (officer_id, gone_id):
        response = _create(client, admin, supervisor_id=supervisor_id)
        assert response.status_code == 422
        assert "no active supervisor or admin" in response.text
    assert _create(client, admin, supervisor_id=admin["id"]).status_code == 201


def test_ngo_account_needs_its_organisation(
    client: TestClient, admin: dict[str, Any], organisation_id: int
) -> None:
    response = _create(client, admin, role="ngo", organisation_id=organisation_id)
    assert response.status_code == 201, response.text
    assert response.json()["organisation_id"] == organisation_id


def test_only_admins_manage_users(
    client: TestClient, make_user: MakeUser, login: Login, admin: dict[str, Any]
) -> None:
    make_user("supervisor@example.org", "supervisor")
    headers = login("supervisor@example.org")
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json={}, headers=headers).status_code == 403
    assert client.patch(f"{URL}/{admin['id']}", json={}, headers=headers).status_code == 403
    assert client.get(URL).status_code == 401


def test_list_pages_by_id(client: TestClient, admin: dict[str, Any], make_user: MakeUser) -> None:
    ids = [admin["id"]] + [make_user(f"officer{n}@example.org") for n in range(4)]
    make_user("old@example.org", is_active=False)

    seen: list[int] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 2, "is_active": True}
        if after is not None:
            params["after"] = after
        page = client.get(URL, params=params, headers=admin["headers"]).json()
        seen += [item["id"] for item in page["items"]]
        assert all(set(item) == PUBLIC_FIELDS for item in page["items"])
        after = page["next_after"]
        if after is None:
            break
    assert seen == ids
    officers = client.get(URL, params={"role": "officer"}, headers=admin["headers"]).json()
    assert len(officers["items"]) == 5
    assert client.get(URL, params={"after": 2**63}, headers=admin["headers"]).status_code == 422
    assert client.get(URL, params={"role": "god"}, headers=admin["headers"]).status_code == 422


def test_read_one(client: TestClient, admin: dict[str, Any], make_user: MakeUser) -> None:
    officer_id = make_user("officer@example.org")
    response = client.get(f"{URL}/{officer_id}", headers=admin["headers"])
    assert response.status_code == 200
    assert response.json()["email"] == "officer@example.org"
    assert client.get(f"{URL}/999999", headers=admin["headers"]).status_code == 404
    assert client.get(f"{URL}/{2**31}", headers=admin["headers"]).status_code == 422
    assert client.get(f"{URL}/0", headers=admin["headers"]).status_code == 422


def test_change_role_supervisor_and_region(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser, engine: Engine
) -> None:
    officer_id = make_user("officer@example.org")
    supervisor_id = make_user("boss@example.org", "supervisor")

    response = client.patch(
        f"{URL}/{officer_id}",
        json={"role": "supervisor", "supervisor_id": supervisor_id, "region": "Shymkent"},
        headers=admin["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["role"], body["supervisor_id"], body["region"]) == (
        "supervisor",
        supervisor_id,
        "Shymkent",
    )
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert set(event.detail["changed"]) == {"role", "supervisor_id", "region"}
    assert event.actor_user_id == admin["id"]


def test_no_loops_of_supervisors(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser
) -> None:
    top = make_user("top@example.org", "supervisor")
    middle = make_user("middle@example.org", "supervisor", supervisor_id=top)
    response = client.patch(
        f"{URL}/{top}", json={"supervisor_id": middle}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert "loop" in response.text


def test_a_supervisor_of_active_staff_keeps_the_role(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser
) -> None:
    boss = make_user("boss@example.org", "supervisor")
    make_user("officer@example.org", supervisor_id=boss)
    for change in ({"role": "officer"}, {"is_active": False}):
        response = client.patch(f"{URL}/{boss}", json=change, headers=admin["headers"])
        assert response.status_code == 409
        assert "supervises 1 active staff" in response.json()["detail"]


def test_an_admin_cannot_lock_themselves_out(client: TestClient, admin: dict[str, Any]) -> None:
    for change in ({"is_active": False}, {"role": "officer"}):
        response = client.patch(f"{URL}/{admin['id']}", json=change, headers=admin["headers"])
        assert response.status_code == 409


def test_role_change_to_ngo_needs_an_organisation(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser, organisation_id: int
) -> None:
    officer_id = make_user("officer@example.org")
    url = f"{URL}/{officer_id}"
    assert client.patch(url, json={"role": "ngo"}, headers=admin["headers"]).status_code == 422
    moved = client.patch(
        url, json={"role": "ngo", "organisation_id": organisation_id}, headers=admin["headers"]
    )
    assert moved.status_code == 200
    back = client.patch(url, json={"role": "officer"}, headers=admin["headers"])
    assert back.status_code == 200
    assert back.json()["organisation_id"] is None


def test_null_for_a_required_field_is_422(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser
) -> None:
    officer_id = make_user("officer@example.org")
    for field in ("role", "is_active", "email", "timezone"):
        response = client.patch(f"{URL}/{officer_id}", json={field: None}, headers=admin["headers"])
        assert response.status_code == 422, field


def test_deactivating_ends_the_users_sessions(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser, login: Login
) -> None:
    officer_id = make_user("officer@example.org")
    tokens = client.post(
        "/api/v1/auth/token", data={"username": "officer@example.org", "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    response = client.patch(
        f"{URL}/{officer_id}", json={"is_active": False}, headers=admin["headers"]
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    login_again = client.post(
        "/api/v1/auth/token", data={"username": "officer@example.org", "password": PASSWORD}
    )
    assert login_again.status_code == 401


def test_an_admin_sets_a_new_password(
    client: TestClient, admin: dict[str, Any], make_user: MakeUser
) -> None:
    officer_id = make_user("officer@example.org")
    new_password = "a brand new passphrase"
    response = client.patch(
        f"{URL}/{officer_id}", json={"password": new_password}, headers=admin["headers"]
    )
    assert response.status_code == 200
    assert response.json()["password_changed_at"] is not None

    def token(password: str) -> int:
        return client.post(
            "/api/v1/auth/token", data={"username": "officer@example.org", "password": password}
        ).status_code

    assert token(new_password) == 200
    assert token(PASSWORD) == 401
