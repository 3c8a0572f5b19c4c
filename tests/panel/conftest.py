"""The panel driven like a browser would: cookies kept, CSRF tokens read from the form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bot.core.db import session_scope
from bot.models import Organisation
from bot.services.users import create_user
from tests.admin.helpers import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

SignIn = Callable[[str], TestClient]


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def staff(engine: Engine) -> Callable[..., int]:
    def make(email: str, role: str = "officer", **fields: object) -> int:
        with session_scope(engine) as session:
            organisation_id = fields.pop("organisation_id", None)
            if role == "ngo" and organisation_id is None:
                organisation = Organisation(name=f"Partner of {email}", services=["employment"])
                session.add(organisation)
                session.flush()
                organisation_id = organisation.id
            user = create_user(
                session,
                email=email,
                password=PASSWORD,
                role=role,
                organisation_id=organisation_id,  # type: ignore[arg-type]
            )
            for name, value in fields.items():
                setattr(user, name, value)
            session.add(user)
            session.flush()
            assert user.id is not None
            return user.id

    return make


@pytest.fixture
def sign_in(client: TestClient) -> SignIn:
    """Sign `email` in through the form; the client then carries the session cookie."""

    def do(email: str) -> TestClient:
        form = client.get("/panel/login")
        response = client.post(
            "/panel/login",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    return do
