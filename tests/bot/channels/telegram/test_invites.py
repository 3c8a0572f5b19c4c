"""POST /api/v1/persons/{id}/invites: a t.me deep link when the Telegram channel is on."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.db import session_scope
from bot.services.users import create_user
from tests.fakes import telegram_api
from tests.fakes.telegram_fixtures import telegram_settings

PASSWORD = "correct horse battery staple"


def _officer_headers(client: TestClient, engine) -> dict[str, str]:
    with session_scope(engine) as session:
        create_user(session, email="officer.tg@example.org", password=PASSWORD, role="officer")
    token = client.post(
        "/api/v1/auth/token", data={"username": "officer.tg@example.org", "password": PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _invite(client: TestClient, headers: dict[str, str]) -> dict:
    person = client.post("/api/v1/persons", json={"display_name": "Ерлан"}, headers=headers)
    assert person.status_code == 201, person.text
    response = client.post(f"/api/v1/persons/{person.json()['id']}/invites", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_invite_carries_a_deep_link_with_the_bots_name_from_get_me(tg_client, engine, fake):
    body = _invite(tg_client, _officer_headers(tg_client, engine))
    assert body["telegram_link"] == (
        f"https://t.me/{telegram_api.BOT_USERNAME}?start={body['code']}"
    )
    assert len(fake.calls_to("getMe")) == 1  # once, at start-up, not per invite


def test_no_link_when_the_channel_is_off(client, engine):
    assert _invite(client, _officer_headers(client, engine))["telegram_link"] is None


def test_no_link_while_telegram_has_not_answered_get_me(settings, engine, fake):
    fake.script("getMe", *[telegram_api.server_error(502)] * 3)
    with TestClient(create_app(telegram_settings(settings, fake))) as client:
        body = _invite(client, _officer_headers(client, engine))
    assert body["code"] and body["telegram_link"] is None
