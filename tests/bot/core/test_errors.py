"""Error answers never repeat what the client sent, and database errors log no values."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.app import create_app
from bot.core.deps import SessionDep
from bot.core.errors import printable, public_errors
from bot.core.settings import Settings

PERSONS = "/api/v1/persons"
SECRET_NAME = "Aidos Serikov +77011234567"


def _post_raw(client: TestClient, headers: dict[str, str], raw: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        PERSONS, content=raw, headers={**headers, "Content-Type": "application/json"}
    )


def test_a_422_does_not_echo_a_huge_field(client, officer):
    response = client.post(
        PERSONS, json={"display_name": "z" * 200_000}, headers=officer["headers"]
    )
    assert response.status_code == 422
    assert len(response.content) < 1000
    [error] = response.json()["detail"]
    assert set(error) == {"loc", "msg", "type"}
    assert error["loc"] == ["body", "display_name"] and "120" in error["msg"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"display_name": NaN}',
        b'{"display_name": "x", "officer_id": Infinity}',
        b'{"display_name": "\\ud800"}',
        b'{"\\ud800": 1, "display_name": "x"}',
        b'{"display_name": "x", "' + b"k" * 5000 + b'": 1}',
        b'{"display_name": "\\u0000"}',
    ],
)
def test_values_json_cannot_encode_are_refused_without_being_echoed(client, officer, raw):
    response = _post_raw(client, officer["headers"], raw)
    assert response.status_code == 422, response.text
    for error in response.json()["detail"]:
        assert set(error) == {"loc", "msg", "type"}
        assert all(len(str(part)) <= 64 for part in error["loc"])
    assert len(response.content) < 1000 and "\\ud800" not in response.text


def test_public_errors_keep_location_message_and_type_only():
    errors = [
        {
            "type": "extra_forbidden",
            "loc": ("body", "a\ud800\x1b[31m" + "b" * 100),
            "msg": "Extra inputs are not permitted",
            "input": SECRET_NAME,
            "ctx": {"secret": SECRET_NAME},
        }
    ]
    [error] = public_errors(errors)
    assert error["type"] == "extra_forbidden" and error["msg"] == "Extra inputs are not permitted"
    assert error["loc"][0] == "body" and len(error["loc"][1]) == 64
    assert "\ud800" not in error["loc"][1] and "\x1b" not in error["loc"][1]
    assert printable("ok\u202eok", 10) == "okok"


def test_the_engine_hides_statement_parameters(engine: Engine):
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (name) VALUES (:name)"), {"name": SECRET_NAME})
    message = str(caught.value)
    assert "SQL parameters hidden" in message and "'name':" not in message
    # PostgreSQL's own DETAIL may still quote the failing row: that is why the error
    # handler logs the exception's type and never its message (next test).


def _app_with_failing_insert(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.post("/insert")
    def insert(session: SessionDep) -> None:
        # A NOT NULL column left out: the database refuses the row that carries a name.
        session.execute(
            text("INSERT INTO organisation (name) VALUES (:name)"), {"name": SECRET_NAME}
        )

    return app


def test_a_database_error_is_a_500_logged_without_its_parameters(settings, engine, caplog):
    caplog.set_level(logging.DEBUG)
    with TestClient(_app_with_failing_insert(settings)) as client:
        response = client.post("/insert")
    assert response.status_code == 500 and response.json() == {"detail": "Internal error."}
    assert "Aidos" not in caplog.text and "+7701" not in caplog.text
    record = next(r for r in caplog.records if r.getMessage() == "database error")
    assert record.error == "IntegrityError" and record.route == "/insert"
    with Session(engine) as session:
        count = session.execute(text("SELECT count(*) FROM organisation")).scalar_one()
    assert count == 0
