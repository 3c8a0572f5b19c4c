"""Schemathesis over the OpenAPI document: every operation with generated input (within
the schema and not), called with a valid token for each role. Nothing a client can send
answers 500.

(schemathesis.pytest.from_fixture reads a pytest attribute that pytest 9 removed, so the
operations are walked here and each one gets its own Hypothesis run.)"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.admin.conftest import Login, MakeUser

ROLES = ("admin", "supervisor", "officer", "ngo")
EXAMPLES = 10


@pytest.mark.slow
def test_no_operation_answers_500(
    app: FastAPI, client: TestClient, make_user: MakeUser, login: Login
) -> None:
    for role in ROLES:
        make_user(f"{role}@fuzz.example", role)
    tokens = {role: login(f"{role}@fuzz.example") for role in ROLES}
    # `client` keeps the app's lifespan (database, channels) running while it is called.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            for role, headers in tokens.items():
                response = case.call(headers={**(case.headers or {}), **headers})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    failures.append(
                        f"{role} {case.method} {case.formatted_path}: {response.status_code}"
                    )

        call()
    assert failures == []
    # Every operation was called for every role, and answers were not all one refusal.
    assert sum(statuses.values()) >= len(operations) * len(ROLES)
    assert {200, 404, 422} <= set(statuses), statuses
