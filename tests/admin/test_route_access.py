"""Every `/api/v1` operation declares who may call it, and the declaration holds.

Walks the app's own OpenAPI document, so a route added anywhere is checked without being
listed here: an operation without `x-allowed-roles` fails; each is called with no token
(401 unless public) and with a token of every role (403 outside the list, anything but
401/403 inside). Path parameters get a real id from the seeded data when their name is
known, 999999 otherwise (a 404 is a fine answer: the point is the access rule).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from admin.access import PUBLIC, allow
from bot.core.db import session_scope
from bot.models import Organisation
from bot.models.enums import Role
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import enroll

ROLES = tuple(role.value for role in Role)
PREFIX = "/api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")
MISSING_ID = 999999
_PARAM = re.compile(r"\{([^}]+)\}")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in sorted(document["paths"].items())
        if path.startswith(PREFIX)
        for method, operation in item.items()
        if method in METHODS
    ]


def undeclared(document: dict[str, Any]) -> list[str]:
    """Operations without a valid `x-allowed-roles` list."""
    missing = []
    for method, path, operation in operations(document):
        roles = operation.get("x-allowed-roles")
        valid = (
            isinstance(roles, list)
            and roles
            and (roles == [PUBLIC] or all(role in ROLES for role in roles))
        )
        if not valid:
            missing.append(f"{method.upper()} {path}")
    return missing


def fill(path: str, known: dict[str, int]) -> str:
    return _PARAM.sub(lambda m: str(known.get(m.group(1), MISSING_ID)), path)


def call(client: TestClient, method: str, url: str, headers: dict[str, str]) -> int:
    body = {"json": {}} if method in ("post", "put", "patch") else {}
    return client.request(method.upper(), url, headers=headers, **body).status_code  # type: ignore[arg-type]


@pytest.fixture
def tokens(client: TestClient, engine: Engine, make_user: MakeUser, login: Login) -> dict[str, Any]:
    with session_scope(engine) as session:
        organisation = Organisation(name="Route Check NGO", services=["housing"])
        session.add(organisation)
        session.flush()
        organisation_id = organisation.id
    make_user("admin@example.org", "admin")
    supervisor_id = make_user("supervisor@example.org", "supervisor")
    officer_id = make_user("officer@example.org", "officer", supervisor_id=supervisor_id)
    make_user("ngo@example.org", "ngo", organisation_id=organisation_id)
    headers = {role: login(f"{role}@example.org") for role in ROLES}
    person = enroll(client, headers["officer"])
    known = {"person_id": person["id"], "user_id": officer_id}
    return {"headers": headers, "known": known}


def test_every_operation_declares_its_roles(app: FastAPI) -> None:
    document = app.openapi()
    assert operations(document), "no /api/v1 operations found"
    assert undeclared(document) == []


def test_an_undeclared_route_is_caught() -> None:
    router = APIRouter()

    @router.get("/declared", **allow(Role.admin))
    def declared() -> None: ...

    @router.get("/forgotten")
    def forgotten() -> None: ...

    probe = FastAPI()
    probe.include_router(router, prefix="/api/v1")
    assert undeclared(probe.openapi()) == ["GET /api/v1/forgotten"]


def test_every_operation_answers_by_its_declaration(
    app: FastAPI, client: TestClient, tokens: dict[str, Any]
) -> None:
    wrong: list[str] = []
    for method, path, operation in operations(app.openapi()):
        allowed = operation.get("x-allowed-roles", [])
        url = fill(path, tokens["known"])
        anonymous = call(client, method, url, {})
        if PUBLIC not in allowed and anonymous != 401:
            wrong.append(f"{method.upper()} {path} without a token: {anonymous}")
        for role in ROLES:
            status = call(client, method, url, tokens["headers"][role])
            inside = PUBLIC in allowed or role in allowed
            if inside and status in (401, 403):
                wrong.append(f"{method.upper()} {path} as {role} (allowed): {status}")
            if not inside and status != 403:
                wrong.append(f"{method.upper()} {path} as {role} (not allowed): {status}")
    assert wrong == []
