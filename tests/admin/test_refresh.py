"""Refresh tokens: rotation, reuse detection, logout, expiry, deactivation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from admin.auth import BAD_REFRESH
from bot.core.db import session_scope
from bot.core.security import token_digest
from bot.models import AuditEvent, RefreshToken
from tests.admin.conftest import MakeUser
from tests.admin.helpers import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
REFRESH_URL = "/api/v1/auth/refresh"
LOGOUT_URL = "/api/v1/auth/logout"
ME_URL = "/api/v1/me"


def _login(client: TestClient, email: str = "officer@example.org") -> dict[str, Any]:
    response = client.post(TOKEN_URL, data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _refresh(client: TestClient, token: str):  # type: ignore[no-untyped-def]
    return client.post(REFRESH_URL, json={"refresh_token": token})


def test_refresh_rotates_the_pair(client: TestClient, make_user: MakeUser, engine: Engine) -> None:
    make_user("officer@example.org")
    first = _login(client)

    response = _refresh(client, first["refresh_token"])

    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert response.headers["cache-control"] == "no-store"
    assert client.get(ME_URL, headers=_bearer(second)).status_code == 200
    # The spent token no longer works, and neither does the access token issued with it.
    assert client.get(ME_URL, headers=_bearer(first)).status_code == 401
    with Session(engine) as session:
        stored = {row.token_hash for row in session.exec(select(RefreshToken))}
    assert token_digest(second["refresh_token"]) in stored
    assert second["refresh_token"] not in stored  # only the digest is kept


def test_reusing_a_spent_token_revokes_every_session(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("officer@example.org")
    first = _login(client)
    other_device = _login(client)
    second = _refresh(client, first["refresh_token"]).json()

    replay = _refresh(client, first["refresh_token"])

    assert replay.status_code == 401
    assert replay.json() == {"detail": BAD_REFRESH}
    assert _refresh(client, second["refresh_token"]).status_code == 401
    assert _refresh(client, other_device["refresh_token"]).status_code == 401
    assert client.get(ME_URL, headers=_bearer(second)).status_code == 401


def test_logout_revokes_the_token_and_its_access_token(
    client: TestClient, make_user: MakeUser, engine: Engine
) -> None:
    user_id = make_user("officer@example.org")
    pair = _login(client)
    kept = _login(client)

    response = client.post(LOGOUT_URL, json={"refresh_token": pair["refresh_token"]})

    assert response.status_code == 204
    assert client.get(ME_URL, headers=_bearer(pair)).status_code == 401
    assert client.get(ME_URL, headers=_bearer(kept)).status_code == 200  # another session
    # Presenting the revoked token again counts as reuse: every session ends.
    assert _refresh(client, pair["refresh_token"]).status_code == 401
    assert client.get(ME_URL, headers=_bearer(kept)).status_code == 401
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)) if e.actor_user_id == user_id]
    assert "user.logout" in actions


def test_logout_of_an_unknown_token_says_nothing(client: TestClient) -> None:
    assert client.post(LOGOUT_URL, json={"refresh_token": "no-such-token"}).status_code == 204


def test_an_expired_refresh_token_is_refused(
    client: TestClient, make_user: MakeUser, engine: Engine
) -> None:
    make_user("officer@example.org")
    pair = _login(client)
    with session_scope(engine) as session:
        row = session.exec(select(RefreshToken)).one()
        row.expires_at = row.created_at - timedelta(seconds=1)
        session.add(row)

    assert _refresh(client, pair["refresh_token"]).status_code == 401


def test_a_deactivated_user_cannot_refresh(
    client: TestClient, make_user: MakeUser, login: Any
) -> None:
    make_user("admin@example.org", "admin")
    officer_id = make_user("officer@example.org")
    pair = _login(client)

    changed = client.patch(
        f"/api/v1/users/{officer_id}", json={"is_active": False}, headers=login("admin@example.org")
    )

    assert changed.status_code == 200, changed.text
    assert _refresh(client, pair["refresh_token"]).status_code == 401
    assert client.get(ME_URL, headers=_bearer(pair)).status_code == 401


def test_bad_refresh_bodies(client: TestClient) -> None:
    assert client.post(REFRESH_URL, json={}).status_code == 422
    assert client.post(REFRESH_URL, json={"refresh_token": "x" * 10_000}).status_code == 422
    assert client.post(REFRESH_URL, json={"refresh_token": 42}).status_code == 422
    assert _refresh(client, "garbage").status_code == 401
