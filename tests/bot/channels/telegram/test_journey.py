"""The newcomer's journey on Telegram, end to end through the real app with the worker
embedded and python-telegram-bot talking HTTP to the fake Bot API: an officer's invite
link, /start with its code, consent by button, a scheduled check-in with a keyboard
answered by buttons, and the transcript on the timeline."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.demo import DEMO_OFFICER_EMAIL, DEMO_PASSWORD, seed_demo
from bot.models import ChannelIdentity, Message, Person
from bot.models.enums import Direction
from tests.bot.channels.telegram.updates import post_update, update
from tests.fakes.telegram_api import BOT_USERNAME, Call, FakeBotApi

CHAT = 424242


def _button_ids(call: Call) -> list[str]:
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


def _wait_for_keyboard(fake: FakeBotApi, seen: int, wanted: str, timeout: float = 10) -> Call:
    """The first message after the `seen` ones whose keyboard offers `wanted`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in fake.calls_to("sendMessage")[seen:]:
            if wanted in _button_ids(call):
                return call
        time.sleep(0.02)
    raise AssertionError(f"no message offering {wanted!r}: {fake.calls_to('sendMessage')}")


def _press(client: TestClient, fake: FakeBotApi, call: Call, choice: str) -> int:
    """Press a button on a sent message; returns how many messages were sent before."""
    sent = fake.calls_to("sendMessage")
    message_id = sent.index(call) + 1  # the fake numbers one chat's messages from 1
    seen = len(sent)
    body = update("callback_query", chat_id=CHAT, data=choice, message_id=message_id)
    assert post_update(client, body).status_code == 200
    return seen


def test_enroll_by_deep_link_consent_and_answer_a_checkin_by_buttons(
    settings, tg_settings, engine, fake
):
    seed_demo(engine, settings)
    with Session(engine) as session:
        person = session.exec(select(Person).where(Person.display_name == "Daniyar")).one()

    with TestClient(create_app(tg_settings, with_worker=True)) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": DEMO_OFFICER_EMAIL, "password": DEMO_PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        invite = client.post(f"/api/v1/persons/{person.id}/invites", headers=auth).json()
        link = urlparse(invite["telegram_link"])
        assert (link.netloc, link.path) == ("t.me", f"/{BOT_USERNAME}")
        code = parse_qs(link.query)["start"][0]
        assert code == invite["code"]

        # The person taps the link: Telegram sends "/start <code>".
        start = update("start_payload", chat_id=CHAT, text=f"/start {code}")
        assert post_update(client, start).status_code == 200
        welcome = _wait_for_keyboard(fake, 0, "l_en")
        assert _button_ids(welcome) == ["l_ru", "l_kk", "l_en"]

        seen = _press(client, fake, welcome, "l_en")
        consent = _wait_for_keyboard(fake, seen, "c_yes")
        seen = _press(client, fake, consent, "c_yes")
        fake.wait_for("sendMessage", seen + 1)
        # Each press stopped its spinner and removed its keyboard.
        edits = fake.wait_for("editMessageReplyMarkup", 2)
        assert [e.params["message_id"] for e in edits] == [
            fake.calls_to("sendMessage").index(welcome) + 1,
            fake.calls_to("sendMessage").index(consent) + 1,
        ]
        assert len(fake.wait_for("answerCallbackQuery", 2)) == 2

        scheduled = client.post(f"/api/v1/persons/{person.id}/checkins", headers=auth)
        assert scheduled.status_code == 201, scheduled.text
        question = _wait_for_keyboard(fake, seen, "m4")
        assert _button_ids(question) == ["m1", "m2", "m3", "m4", "m5"]
        seen = _press(client, fake, question, "m4")
        need = _wait_for_keyboard(fake, seen, "n_ok")
        seen = _press(client, fake, need, "n_ok")
        _finish_checkin(client, fake, seen)

        timeline = client.get(f"/api/v1/persons/{person.id}/timeline", headers=auth).json()

    checkins = [item for item in timeline["items"] if item["type"] == "checkin"]
    assert [(c["status"], c["mood"], c["need"]) for c in checkins] == [("answered", 4, "ok")]
    messages = [item for item in timeline["items"] if item["type"] == "message"]
    assert all(m["channel"] == "telegram" for m in messages)
    pressed = [m["body"] for m in messages if m["direction"] == "in" and m["kind"] == "choice"]
    assert len(pressed) >= 4 and all(b.startswith("[") for b in pressed)
    assert any(m["direction"] == "out" and m["choices"] for m in messages)
    _assert_delivery_recorded(engine, person.id)


def _finish_checkin(client: TestClient, fake: FakeBotApi, seen: int) -> None:
    """Whatever the check-in asks after the need (a note, skippable), skip it."""
    reply = fake.wait_for("sendMessage", seen + 1)[seen]
    if "skip" in _button_ids(reply):
        seen = _press(client, fake, reply, "skip")
        fake.wait_for("sendMessage", seen + 1)


def _assert_delivery_recorded(engine: Any, person_id: int) -> None:
    with Session(engine) as session:
        identity = session.exec(
            select(ChannelIdentity).where(ChannelIdentity.person_id == person_id)
        ).one()
        assert (identity.channel, identity.address) == ("telegram", str(CHAT))
        outbound = session.exec(
            select(Message)
            .where(Message.person_id == person_id, Message.direction == Direction.outbound)
            .order_by(col(Message.id))
        ).all()
    sent = [m for m in outbound if m.status == "sent"]
    assert sent and len(sent) == len(outbound)
    ids = [m.provider_message_id for m in sent]
    assert ids == [f"{CHAT}:{n}" for n in range(1, len(ids) + 1)]
