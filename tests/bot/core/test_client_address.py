"""Every audit event written while serving a request notes the client's address."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.core import audit
from bot.core.client_address import current_client_address
from bot.core.db import session_scope
from bot.models import AuditEvent
from bot.services.users import create_user

PASSWORD = "correct horse battery staple"
OFFICER = "officer.address@example.org"


def _officer(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_user(session, email=OFFICER, password=PASSWORD, role="officer")


def _enroll(client: TestClient) -> int:
    token = client.post("/api/v1/auth/token", data={"username": OFFICER, "password": PASSWORD})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    created = client.post("/api/v1/persons", json={"display_name": "A"}, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _addresses(engine: Engine, action: str) -> list[str | None]:
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        return [event.address for event in session.exec(query)]


def test_an_audit_event_written_in_a_request_notes_the_client_address(app: FastAPI, engine):
    _officer(engine)
    with TestClient(app, client=("203.0.113.7", 40123)) as client:
        _enroll(client)
    assert _addresses(engine, "person.create") == ["203.0.113.7"]


def test_each_request_notes_its_own_address(app: FastAPI, engine):
    _officer(engine)
    with TestClient(app, client=("203.0.113.7", 40123)) as first:
        _enroll(first)
    with TestClient(app, client=("2001:db8::5", 40124)) as second:
        _enroll(second)
    assert _addresses(engine, "person.create") == ["203.0.113.7", "2001:db8::5"]


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(app: FastAPI, engine):
    """uvicorn applies the proxy headers before our middleware sees the request."""
    _officer(engine)
    behind_proxy = ProxyHeadersMiddleware(app, trusted_hosts="10.0.0.2")  # type: ignore[arg-type]
    with TestClient(behind_proxy, client=("10.0.0.2", 40125)) as client:  # type: ignore[arg-type]
        client.headers["X-Forwarded-For"] = "198.51.100.9"
        _enroll(client)
    assert _addresses(engine, "person.create") == ["198.51.100.9"]


def test_an_address_given_explicitly_wins_and_outside_a_request_there_is_none(engine):
    assert current_client_address() is None
    with session_scope(engine) as session:
        audit.record(session, action="sweep.test", entity_type="person", actor_kind="system")
        audit.record(
            session, action="sweep.test", entity_type="person", address="192.0.2.1" + "0" * 80
        )
    stored = _addresses(engine, "sweep.test")
    assert stored[0] is None
    assert stored[1] == ("192.0.2.1" + "0" * 80)[:64]
