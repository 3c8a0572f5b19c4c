"""Small helpers shared by the admin API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.models import AuditEvent, Person

PASSWORD = "correct horse battery staple"


def enroll(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"display_name": "Test Person", **fields}
    response = client.post("/api/v1/persons", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def audit_actions(engine: Engine, person_id: int | None = None) -> list[tuple[str, int | None]]:
    with Session(engine) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)  # type: ignore[arg-type]
        if person_id is not None:
            query = query.where(AuditEvent.person_id == person_id)
        return [(event.action, event.actor_user_id) for event in session.exec(query)]


def update_person(engine: Engine, person_id: int, **fields: Any) -> None:
    with session_scope(engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        for name, value in fields.items():
            setattr(person, name, value)
        session.add(person)
