"""GET/PATCH /me and the password change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from admin.me.views import WRONG_PASSWORD
from bot.models import AuditEvent, User
from tests.admin.conftest import MakeUser
from tests.admin.helpers import PASSWORD

ME = "/api/v1/me"
NEW_PASSWORD = "another long passphrase"


def _pair(client: TestClient, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post(
        "/api/v1/auth/token", data={"username": "officer@example.org", "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


@pytest.fixture
def me(client: TestClient, make_user: MakeUser) -> dict[str, Any]:
    user_id = make_user("officer@example.org")
    pair = _pair(client)
    return {"id": user_id, "pair": pair, "headers": _bearer(pair)}


def test_read_own_profile(client: TestClient, me: dict[str, Any]) -> None:
    response = client.get(ME, headers=me["headers"])
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["email"], body["role"]) == (me["id"], "officer@example.org", "officer")
    assert (body["alert_email"], body["alert_telegram"], body["digest_hour"]) == (True, True, None)
    assert body["telegram_linked"] is False
    assert not {"password_hash", "totp_secret", "totp_recovery_hashes"} & set(body)
    assert client.get(ME).status_code == 401


def test_update_own_settings(client: TestClient, me: dict[str, Any], engine: Engine) -> None:
    response = client.patch(
        ME,
        json={
            "alert_email": False,
            "digest_hour": 7,
            "language": "en",
            "timezone": "Asia/Qyzylorda",
            "full_name": "  Daniyar  ",
        },
        headers=me["headers"],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["alert_email"], body["digest_hour"], body["language"], body["timezone"]) == (
        False,
        7,
        "en",
        "Asia/Qyzylorda",
    )
    assert body["full_name"] == "Daniyar"
    assert (
        client.patch(ME, json={"digest_hour": None}, headers=me["headers"]).json()["digest_hour"]
        is None
    )
    with Session(engine) as session:
        stored = session.get(User, me["id"])
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "user.update_own"))
        first = next(iter(events))
    assert stored is not None and stored.language == "en"
    assert set(first.detail["changed"]) == {
        "alert_email",
        "digest_hour",
        "language",
        "timezone",
        "full_name",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"digest_hour": 24},
        {"digest_hour": -1},
        {"language": "de"},
        {"timezone": "Europe/Atlantis"},
        {"timezone": "x" * 65},
        {"alert_email": None},
        {"role": "admin"},
        {"email": "other@example.org"},
    ],
)
def test_update_refuses_bad_input(client: TestClient, me: dict[str, Any], body: dict) -> None:
    response = client.patch(ME, json=body, headers=me["headers"])
    assert response.status_code == 422, response.text
    assert client.get(ME, headers=me["headers"]).json()["role"] == "officer"


def test_change_password_ends_the_other_sessions(
    client: TestClient, me: dict[str, Any], engine: Engine
) -> None:
    other = _pair(client)

    response = client.post(
        f"{ME}/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=me["headers"],
    )

    assert response.status_code == 204, response.text
    assert client.get(ME, headers=me["headers"]).status_code == 200  # this session stays
    assert client.get(ME, headers=_bearer(other)).status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert refreshed.status_code == 401
    assert _pair(client, NEW_PASSWORD)["access_token"]
    old = client.post(
        "/api/v1/auth/token", data={"username": "officer@example.org", "password": PASSWORD}
    )
    assert old.status_code == 401
    with Session(engine) as session:
        user = session.get(User, me["id"])
    assert user is not None and user.password_changed_at is not None


def test_wrong_old_password_is_403_and_counts_as_a_failure(
    client: TestClient, me: dict[str, Any]
) -> None:
    for _ in range(5):
        response = client.post(
            f"{ME}/password",
            json={"old_password": "not my password", "new_password": NEW_PASSWORD},
            headers=me["headers"],
        )
        assert response.status_code == 403
        assert response.json() == {"detail": WRONG_PASSWORD}
    locked = client.post(
        f"{ME}/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=me["headers"],
    )
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "body",
    [
        {"new_password": NEW_PASSWORD},
        {"old_password": PASSWORD, "new_password": "short"},
        {"old_password": PASSWORD},
        {"old_password": "", "new_password": NEW_PASSWORD},
    ],
)
def test_password_change_needs_both_passwords(
    client: TestClient, me: dict[str, Any], body: dict
) -> None:
    assert client.post(f"{ME}/password", json=body, headers=me["headers"]).status_code == 422
    assert _pair(client)["access_token"]  # unchanged


def test_every_role_has_a_profile(client: TestClient, make_user: MakeUser, engine: Engine) -> None:
    from bot.core.db import session_scope
    from bot.models import Organisation

    with session_scope(engine) as session:
        organisation = Organisation(name="Partner", services=["employment"])
        session.add(organisation)
        session.flush()
        organisation_id = organisation.id
    for role in ("admin", "supervisor", "officer", "ngo"):
        email = f"{role}@example.org"
        make_user(email, role, organisation_id=organisation_id if role == "ngo" else None)
        token = client.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        ).json()["access_token"]
        body = client.get(ME, headers={"Authorization": f"Bearer {token}"}).json()
        assert body["role"] == role
