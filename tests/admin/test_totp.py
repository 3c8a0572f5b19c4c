"""The TOTP second factor: enrolment, login with a code or a recovery code, and the
production rule that admins must have one (an enrolment-only token until they do)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from admin.access import ENROL_FIRST
from admin.auth import OTP_NEEDED
from bot.app import create_app
from bot.core.security import ENROL_SCOPE
from bot.core.settings import Settings
from bot.models import User
from tests.admin.conftest import MakeUser
from tests.admin.helpers import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
EMAIL = "officer@example.org"


def _login(client: TestClient, otp: str | None = None, email: str = EMAIL):  # type: ignore[no-untyped-def]
    data = {"username": email, "password": PASSWORD}
    if otp is not None:
        data["otp"] = otp
    return client.post(TOKEN_URL, data=data)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _next_code(secret: str) -> str:
    """The next step's code: accepted (clock drift), and not the one spent on confirming."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def _enrol(client: TestClient, headers: dict[str, str]) -> tuple[str, list[str]]:
    secret, codes, _ = _enrol_with_code(client, headers)
    return secret, codes


def _enrol_with_code(client: TestClient, headers: dict[str, str]) -> tuple[str, list[str], str]:
    started = client.post("/api/v1/me/totp", headers=headers)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    code = pyotp.TOTP(secret).now()
    confirmed = client.post("/api/v1/me/totp/confirm", json={"code": code}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"], code


@pytest.fixture
def officer_headers(client: TestClient, make_user: MakeUser) -> dict[str, str]:
    make_user(EMAIL)
    return _bearer(_login(client).json()["access_token"])


def test_enrolment_gives_a_secret_and_an_otpauth_uri(
    client: TestClient, officer_headers: dict[str, str], engine: Engine
) -> None:
    response = client.post("/api/v1/me/totp", headers=officer_headers)

    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/Jolserik:")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    # Stored but not yet in force: a login still needs no code.
    assert _login(client).status_code == 200
    assert client.get("/api/v1/me", headers=officer_headers).json()["totp_enabled"] is False


def test_confirm_needs_the_current_code(
    client: TestClient, officer_headers: dict[str, str]
) -> None:
    assert (
        client.post("/api/v1/me/totp/confirm", json={"code": "123456"}, headers=officer_headers)
    ).status_code == 409  # nothing enrolled yet
    secret = client.post("/api/v1/me/totp", headers=officer_headers).json()["secret"]
    wrong = str((int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000).zfill(6)
    for code in (wrong, "abcdef", "1" * 16):
        response = client.post(
            "/api/v1/me/totp/confirm", json={"code": code}, headers=officer_headers
        )
        assert response.status_code == 422, code
    assert _login(client).status_code == 200


def test_once_enabled_a_login_needs_a_code(
    client: TestClient, officer_headers: dict[str, str], engine: Engine
) -> None:
    secret, codes, confirm_code = _enrol_with_code(client, officer_headers)

    assert len(codes) == 10 and len(set(codes)) == 10
    without = _login(client)
    assert without.status_code == 401
    assert without.json() == {"detail": OTP_NEEDED}
    an_hour_off = pyotp.TOTP(secret).at(time.time() + 3600)
    assert _login(client, an_hour_off).status_code == 401
    # The code spent on confirming cannot be used again.
    assert _login(client, confirm_code).status_code == 401
    code = _next_code(secret)
    with_code = _login(client, code)
    assert with_code.status_code == 200
    assert with_code.json()["refresh_token"]
    assert _login(client, code).status_code == 401  # a replay
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        stored = repr(user.totp_recovery_hashes)
    assert user.totp_enabled_at is not None
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    # Enrolling again while enabled is a conflict (an admin resets a lost factor).
    assert client.post("/api/v1/me/totp", headers=officer_headers).status_code == 409


def test_a_recovery_code_works_once(client: TestClient, officer_headers: dict[str, str]) -> None:
    _, codes = _enrol(client, officer_headers)

    assert _login(client, codes[0].upper()).status_code == 200
    assert _login(client, codes[0]).status_code == 401
    assert _login(client, codes[1]).status_code == 200


def test_an_admin_resets_a_lost_second_factor(
    client: TestClient, officer_headers: dict[str, str], make_user: MakeUser
) -> None:
    _enrol(client, officer_headers)
    officer_id = client.get("/api/v1/me", headers=officer_headers).json()["id"]
    make_user("admin@example.org", "admin")
    admin = _bearer(_login(client, email="admin@example.org").json()["access_token"])

    response = client.patch(
        f"/api/v1/users/{officer_id}", json={"reset_second_factor": True}, headers=admin
    )

    assert response.status_code == 200
    assert response.json()["totp_enabled"] is False
    assert _login(client).status_code == 200


@pytest.fixture
def production(settings: Settings) -> Iterator[TestClient]:
    production_settings = settings.model_copy(
        update={"environment": "production", "secret_key": "k" * 48}
    )
    with TestClient(create_app(production_settings)) as client:
        yield client


def test_in_production_an_admin_without_totp_may_only_enrol(
    production: TestClient, make_user: MakeUser
) -> None:
    make_user("admin@example.org", "admin")

    first = _login(production, email="admin@example.org")

    assert first.status_code == 200
    body: dict[str, Any] = first.json()
    assert body["scope"] == ENROL_SCOPE
    assert "refresh_token" not in body
    limited = _bearer(body["access_token"])
    for method, url in (
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/persons"),
    ):
        refused = production.request(method, url, headers=limited)
        assert refused.status_code == 403
        assert refused.json() == {"detail": ENROL_FIRST}

    secret, _ = _enrol(production, limited)

    assert _login(production, email="admin@example.org").status_code == 401
    full = _login(production, _next_code(secret), email="admin@example.org").json()
    assert "scope" not in full and full["refresh_token"]
    assert production.get("/api/v1/users", headers=_bearer(full["access_token"])).status_code == 200


def test_in_production_other_roles_need_no_second_factor(
    production: TestClient, make_user: MakeUser
) -> None:
    make_user(EMAIL)
    body = _login(production).json()
    assert "scope" not in body
    assert production.get("/api/v1/me", headers=_bearer(body["access_token"])).status_code == 200


def test_in_production_an_admin_without_totp_cannot_refresh_an_older_session(
    client: TestClient, production: TestClient, make_user: MakeUser
) -> None:
    make_user("admin@example.org", "admin")
    from_development = _login(client, email="admin@example.org").json()  # before the switch

    response = production.post(
        "/api/v1/auth/refresh", json={"refresh_token": from_development["refresh_token"]}
    )

    assert response.status_code == 401
