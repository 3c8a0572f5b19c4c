"""POST /persons/{id}/invites: code shape, expiry, one live code per person."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.clock import as_utc, utcnow
from bot.core.settings import Settings
from bot.models import AuditEvent, Invite
from bot.services.invites import live_invite
from tests.admin.helpers import enroll, update_person

CODE = re.compile(r"^[A-Za-z0-9_-]{24}$")


def _invite(client: TestClient, officer: dict[str, Any], person_id: int, body: Any = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/persons/{person_id}/invites", json=body, headers=officer["headers"]
    )


def test_invite_code_shape_and_expiry(
    client: TestClient, officer: dict[str, Any], settings: Settings
) -> None:
    person = enroll(client, officer["headers"])
    before = utcnow()

    response = _invite(client, officer, person["id"])

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"code", "expires_at", "channel", "telegram_link"}
    assert CODE.match(body["code"])
    assert body["channel"] is None
    assert body["telegram_link"] is None
    expires_at = datetime.fromisoformat(body["expires_at"])
    expected = before + timedelta(days=settings.invite_ttl_days)
    assert abs(expires_at - expected) < timedelta(seconds=30)


def test_codes_are_unique(client: TestClient, officer: dict[str, Any]) -> None:
    people = [enroll(client, officer["headers"])["id"] for _ in range(3)]
    codes = {_invite(client, officer, pid).json()["code"] for pid in people for _ in range(3)}
    assert len(codes) == 9
    assert all(CODE.match(code) for code in codes)


def test_a_second_invite_expires_the_first(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    first = _invite(client, officer, person["id"]).json()["code"]
    second = _invite(client, officer, person["id"]).json()["code"]

    now = utcnow()
    with Session(engine) as session:
        rows = {
            invite.code: invite
            for invite in session.exec(select(Invite).where(Invite.person_id == person["id"]))
        }
        assert as_utc(rows[first].expires_at) <= now  # type: ignore[operator]
        assert as_utc(rows[second].expires_at) > now + timedelta(days=6)  # type: ignore[operator]
        live = live_invite(session, person["id"], now)
        assert live is not None and live.code == second
        assert rows[second].created_by_id == officer["id"]


def test_a_used_invite_is_left_alone(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    first = _invite(client, officer, person["id"]).json()["code"]
    used_at = utcnow()
    with Session(engine) as session:
        invite = session.exec(select(Invite).where(Invite.code == first)).one()
        invite.used_at = used_at
        original_expiry = as_utc(invite.expires_at)
        session.add(invite)
        session.commit()

    _invite(client, officer, person["id"])

    with Session(engine) as session:
        invite = session.exec(select(Invite).where(Invite.code == first)).one()
        assert as_utc(invite.expires_at) == original_expiry


@pytest.mark.parametrize("channel", ["telegram", "simulator"])
def test_channel_is_kept(client: TestClient, officer: dict[str, Any], channel: str) -> None:
    person = enroll(client, officer["headers"])
    response = _invite(client, officer, person["id"], {"channel": channel})
    assert response.status_code == 201
    assert response.json()["channel"] == channel


def test_an_sms_invite_needs_the_sms_channel(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    # The suite's settings have no Twilio account; tests/webhooks/test_twilio_journey.py
    # invites by SMS where it is set up.
    person = enroll(client, officer["headers"], phone="+77011234567")
    response = _invite(client, officer, person["id"], {"channel": "sms"})
    assert response.status_code == 409
    assert "SMS is not set up" in response.json()["detail"]
    with Session(engine) as session:
        assert session.exec(select(Invite)).all() == []


@pytest.mark.parametrize("body", [{"channel": "fax"}, {"channel": 3}, {"code": "mine"}, [1]])
def test_bad_invite_bodies(client: TestClient, officer: dict[str, Any], body: Any) -> None:
    person = enroll(client, officer["headers"])
    assert _invite(client, officer, person["id"], body).status_code == 422


@pytest.mark.parametrize("status", ["closed", "opted_out"])
def test_closed_or_opted_out_person_cannot_be_invited(
    client: TestClient, officer: dict[str, Any], engine: Engine, status: str
) -> None:
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], status=status)

    response = _invite(client, officer, person["id"])

    assert response.status_code == 409
    assert status in response.json()["detail"]


@pytest.mark.parametrize("status", ["invited", "active", "paused"])
def test_other_statuses_can_be_invited(
    client: TestClient, officer: dict[str, Any], engine: Engine, status: str
) -> None:
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], status=status)
    assert _invite(client, officer, person["id"]).status_code == 201


def test_invite_is_audited_without_the_code(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    code = _invite(client, officer, person["id"], {"channel": "simulator"}).json()["code"]

    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "invite.create")
            .order_by(col(AuditEvent.id))
        ).all()
    assert len(events) == 1
    assert events[0].person_id == person["id"]
    assert events[0].actor_user_id == officer["id"]
    assert code not in str(events[0].detail)
