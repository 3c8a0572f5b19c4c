"""Refused reads of a person are audited, and the record of it survives the 404."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.models import AuditEvent
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import enroll

URL = "/api/v1/persons"


def _refusals(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.action == "person.read_refused")
        return list(session.exec(query.order_by(col(AuditEvent.id))))


def test_an_out_of_scope_read_is_audited_with_the_actor_and_the_asked_id(
    client: TestClient, officer: dict[str, Any], make_user: MakeUser, login: Login, engine: Engine
) -> None:
    theirs = enroll(client, officer["headers"], display_name="A's person")
    other_id = make_user("officer.b@example.org")
    other = login("officer.b@example.org")

    assert client.get(f"{URL}/{theirs['id']}", headers=other).status_code == 404
    patched = client.patch(f"{URL}/{theirs['id']}", json={"region": "X"}, headers=other)
    assert patched.status_code == 404
    assert client.get(f"{URL}/424242", headers=other).status_code == 404

    first, second, missing = _refusals(engine)
    for event in (first, second):
        assert event.actor_user_id == other_id
        assert event.entity_id == event.person_id == theirs["id"]
        assert event.detail == {"asked_id": theirs["id"], "exists": True}
    assert missing.actor_user_id == other_id and missing.person_id is None
    assert missing.detail == {"asked_id": 424242, "exists": False}
    # The refused change changed nothing.
    assert client.get(f"{URL}/{theirs['id']}", headers=officer["headers"]).json()["region"] is None


def test_reads_in_scope_are_not_refusals(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    mine = enroll(client, officer["headers"])
    assert client.get(f"{URL}/{mine['id']}", headers=officer["headers"]).status_code == 200
    assert _refusals(engine) == []
