"""POST /auth/token and the bearer-token check every other endpoint relies on."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from admin.auth import BAD_CREDENTIALS
from bot.core.clock import utcnow
from bot.core.security import create_access_token
from bot.core.settings import Settings
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import PASSWORD, audit_actions

TOKEN_URL = "/api/v1/auth/token"
PERSONS_URL = "/api/v1/persons"


def _token(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(TOKEN_URL, data={"username": username, "password": password})


def _assert_401(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_success_and_use(
    client: TestClient, make_user: MakeUser, settings: Settings, engine: Engine
) -> None:
    user_id = make_user("officer@example.org")

    response = _token(client, "officer@example.org")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "refresh_expires_in",
    }
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_minutes * 60
    assert body["refresh_expires_in"] == settings.refresh_token_days * 86400
    assert response.headers["cache-control"] == "no-store"
    listed = client.get(PERSONS_URL, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listed.status_code == 200
    assert ("user.login", user_id) in audit_actions(engine)


def test_login_email_is_case_insensitive(client: TestClient, make_user: MakeUser) -> None:
    make_user("Officer.Case@Example.org")
    assert _token(client, "  OFFICER.case@example.ORG ").status_code == 200


def test_wrong_password_and_unknown_email_answer_alike(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("officer@example.org")

    wrong_password = _token(client, "officer@example.org", "not the password at all")
    unknown_email = _token(client, "nobody@example.org")

    _assert_401(wrong_password)
    _assert_401(unknown_email)
    assert wrong_password.json() == unknown_email.json() == {"detail": BAD_CREDENTIALS}


def test_absurdly_long_password_is_refused_quickly(client: TestClient, make_user: MakeUser) -> None:
    make_user("officer@example.org")
    _assert_401(_token(client, "officer@example.org", "x" * 100_000))


def test_missing_form_fields_are_422(client: TestClient) -> None:
    assert client.post(TOKEN_URL, data={"username": "a@example.org"}).status_code == 422
    assert client.post(TOKEN_URL, json={"username": "a", "password": "b"}).status_code == 422


def test_inactive_user_cannot_log_in(client: TestClient, make_user: MakeUser) -> None:
    make_user("gone@example.org", is_active=False)
    _assert_401(_token(client, "gone@example.org"))


def test_token_of_a_user_deactivated_later_is_refused(
    client: TestClient, make_user: MakeUser, login: Login, engine: Engine
) -> None:
    from bot.core.db import session_scope
    from bot.models import User

    user_id = make_user("officer@example.org")
    headers = login("officer@example.org")
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        user.is_active = False

    _assert_401(client.get(PERSONS_URL, headers=headers))


def test_expired_token(client: TestClient, make_user: MakeUser, settings: Settings) -> None:
    user_id = make_user("officer@example.org")
    issued = utcnow() - timedelta(minutes=settings.access_token_minutes + 1)
    expired = create_access_token(user_id, settings, now=issued).token

    _assert_401(client.get(PERSONS_URL, headers={"Authorization": f"Bearer {expired}"}))


def test_token_for_a_missing_user(client: TestClient, settings: Settings) -> None:
    for user_id in (424242, 10**17):
        token = create_access_token(user_id, settings).token
        _assert_401(client.get(PERSONS_URL, headers={"Authorization": f"Bearer {token}"}))


def test_garbage_and_forged_tokens(
    client: TestClient, make_user: MakeUser, settings: Settings
) -> None:
    user_id = make_user("officer@example.org")
    now = utcnow()
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(hours=1), "type": "access"}
    forged = jwt.encode(claims, "some-other-key-of-at-least-32-bytes!", algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    # Signed with SECRET_KEY itself rather than the derived token key: still not ours.
    raw_key = jwt.encode(claims, settings.secret_key.ljust(32, "!"), algorithm="HS256")

    for token in ("garbage", "a.b.c", forged, unsigned, raw_key, ""):
        _assert_401(client.get(PERSONS_URL, headers={"Authorization": f"Bearer {token}"}))
    _assert_401(client.get(PERSONS_URL, headers={"Authorization": "Basic dXNlcjpwYXNz"}))


def test_missing_authorization_header(client: TestClient) -> None:
    for method, url in (
        ("GET", PERSONS_URL),
        ("POST", PERSONS_URL),
        ("GET", f"{PERSONS_URL}/1"),
        ("POST", f"{PERSONS_URL}/1/invites"),
        ("GET", f"{PERSONS_URL}/1/timeline"),
        ("POST", f"{PERSONS_URL}/1/checkins"),
    ):
        _assert_401(client.request(method, url))
