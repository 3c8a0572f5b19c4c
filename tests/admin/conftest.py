"""Staff accounts made through the real service, and tokens through the real endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.core.db import session_scope
from bot.models import Organisation
from bot.services.users import create_user
from tests.admin.helpers import PASSWORD
from tests.fakes.telegram_fixtures import fake, telegram_api  # noqa: F401  (fixtures)

MakeUser = Callable[..., int]
Login = Callable[[str], dict[str, str]]


@pytest.fixture
def make_user(engine: Engine) -> MakeUser:
    def make(
        email: str,
        role: str = "officer",
        *,
        supervisor_id: int | None = None,
        is_active: bool = True,
        organisation_id: int | None = None,
    ) -> int:
        with session_scope(engine) as session:
            if role == "ngo" and organisation_id is None:
                # An NGO account belongs to an organisation; tests that do not care get one.
                organisation = Organisation(name=f"Partner of {email}", services=["employment"])
                session.add(organisation)
                session.flush()
                organisation_id = organisation.id
            user = create_user(
                session,
                email=email,
                password=PASSWORD,
                role=role,
                organisation_id=organisation_id,
                supervisor_id=supervisor_id,
            )
            user.is_active = is_active
            assert user.id is not None
            return user.id

    return make


@pytest.fixture
def login(client: TestClient) -> Login:
    def get_headers(email: str) -> dict[str, str]:
        response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return get_headers


@pytest.fixture
def officer(make_user: MakeUser, login: Login) -> dict[str, Any]:
    """An officer with a token: {"id", "headers"}."""
    user_id = make_user("officer.a@example.org")
    return {"id": user_id, "headers": login("officer.a@example.org")}
