"""A staff member links their Telegram chat with a one-time code and gets alerts there;
the staff chat never enters the persons' flows. Real app, worker embedded, and
python-telegram-bot talking HTTP to the fake Bot API."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import ChannelIdentity, Message, Organisation, Person, User
from bot.models.enums import Direction
from bot.pipeline.escalations import open_escalation
from bot.services.users import create_user
from tests.bot.channels.telegram.updates import post_update, update
from tests.fakes.telegram_api import BOT_USERNAME, FakeBotApi

STAFF_CHAT = 7770001
STRANGER_CHAT = 7770002
PASSWORD = "correct horse battery staple"


def _staff(engine: Engine, email: str = "officer@example.org", role: str = "officer") -> int:
    with session_scope(engine) as session:
        organisation_id = None
        if role == "ngo":  # an NGO account belongs to an organisation
            organisation = Organisation(name="Partner", services=["employment"])
            session.add(organisation)
            session.flush()
            organisation_id = organisation.id
        user = create_user(
            session, email=email, password=PASSWORD, role=role, organisation_id=organisation_id
        )
        user.language = "en"
        session.flush()
        assert user.id is not None
        return user.id


def _headers(client: TestClient, email: str = "officer@example.org") -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _texts_to(fake: FakeBotApi, chat_id: int, count: int, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [
            str(call.params.get("text"))
            for call in fake.calls_to("sendMessage")
            if str(call.params.get("chat_id")) == str(chat_id)
        ]
        if len(texts) >= count:
            return texts
        time.sleep(0.02)
    raise AssertionError(
        f"fewer than {count} messages to {chat_id}: {fake.calls_to('sendMessage')}"
    )


def _user(engine: Engine, user_id: int) -> User:
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def _no_person_traffic(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.exec(select(Person)).all() == []
        assert session.exec(select(ChannelIdentity)).all() == []
        inbound = session.exec(select(Message).where(Message.direction == Direction.inbound))
        assert inbound.all() == []


def test_link_by_code_then_the_chat_is_staff_only_and_receives_alerts(
    tg_worker_client: TestClient, tg_settings: Settings, engine: Engine, fake: FakeBotApi
) -> None:
    client = tg_worker_client
    officer = _staff(engine)
    headers = _headers(client)
    assert client.post("/api/v1/me/telegram-link").status_code == 401

    response = client.post("/api/v1/me/telegram-link", headers=headers)
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    assert response.json()["telegram_link"] == f"https://t.me/{BOT_USERNAME}?start={code}"
    stored = _user(engine, officer)
    assert stored.telegram_link_code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in repr(stored.__dict__)

    body = update("text", chat_id=STAFF_CHAT, text=f"/start {code}")
    assert post_update(client, body).status_code == 200
    [linked] = _texts_to(fake, STAFF_CHAT, 1)
    assert linked == "Your Telegram is linked: alerts will come to this chat."
    user = _user(engine, officer)
    assert user.telegram_chat_id == str(STAFF_CHAT)
    assert user.telegram_link_code_hash is None

    # Anything else from the staff chat gets the staff answer, never a person's flow.
    assert post_update(client, update("text", chat_id=STAFF_CHAT, text="меню")).status_code == 200
    texts = _texts_to(fake, STAFF_CHAT, 2)
    assert texts[1].startswith("This chat only receives alerts for staff.")
    _no_person_traffic(engine)

    # The code worked once: from another chat it is just text for the persons' bot.
    post_update(client, update("text", chat_id=STRANGER_CHAT, text=f"/start {code}"))
    _texts_to(fake, STRANGER_CHAT, 1)
    assert _user(engine, officer).telegram_chat_id == str(STAFF_CHAT)

    # A critical escalation reaches the linked chat, naming no one.
    with session_scope(engine) as session:
        person = Person(display_name="Gulnara Secretname", officer_id=officer)
        session.add(person)
        session.flush()
        escalation = open_escalation(
            session, tg_settings, person_id=person.id, reason="crisis",  # type: ignore[arg-type]
            severity="critical", detail="end my life", now=utcnow(),
        )  # fmt: skip
        session.flush()
        escalation_id = escalation.id
    alert = _texts_to(fake, STAFF_CHAT, 3)[2]
    assert alert.startswith("A case needs your attention (critical, 1 h)")
    assert f"/api/v1/escalations/{escalation_id}" in alert
    assert "Gulnara" not in alert and "life" not in alert


def test_an_expired_code_links_nothing(
    tg_client: TestClient, engine: Engine, fake: FakeBotApi
) -> None:
    officer = _staff(engine)
    code = tg_client.post("/api/v1/me/telegram-link", headers=_headers(tg_client)).json()["code"]
    with session_scope(engine) as session:
        user = session.get(User, officer)
        assert user is not None
        user.telegram_link_expires_at = utcnow() - timedelta(seconds=1)
    post_update(tg_client, update("text", chat_id=STAFF_CHAT, text=f"/start {code}"))
    assert _user(engine, officer).telegram_chat_id is None
    with Session(engine) as session:
        staff_rows = session.exec(
            select(Message).where(col(Message.recipient_user_id).is_not(None))
        )
        assert staff_rows.all() == []


def test_every_staff_role_may_ask_for_a_code(tg_client: TestClient, engine: Engine) -> None:
    for role in ("admin", "supervisor", "ngo"):
        _staff(engine, f"{role}@example.org", role)
        response = tg_client.post(
            "/api/v1/me/telegram-link", headers=_headers(tg_client, f"{role}@example.org")
        )
        assert response.status_code == 201, role
