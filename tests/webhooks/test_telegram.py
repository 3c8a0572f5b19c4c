"""POST /webhooks/telegram through the real app: proof, limits, parsing, dedupe, the
update kinds, and the provider calls that follow a button press."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.models import AuditEvent, ChannelIdentity, Message
from bot.models.enums import Direction
from flows.i18n import translate
from tests.bot.channels.telegram.updates import SECRET, post_update, update
from tests.factories import make_enrolled
from tests.fakes.telegram_fixtures import telegram_settings

CHAT = 5550001


def _messages(engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).order_by(col(Message.id))).all())


def _inbound(engine) -> list[Message]:
    return [m for m in _messages(engine) if m.direction == Direction.inbound]


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper(), "секрет"],
    ids=["missing", "empty", "wrong", "prefix", "longer", "case", "non-ascii"],
)
def test_a_missing_or_forged_secret_is_403_and_nothing_is_stored(tg_client, engine, secret):
    if secret == "секрет":
        # Header values travel as latin-1; send raw bytes as a forger could.
        response = tg_client.post(
            "/webhooks/telegram",
            content=json.dumps(update("text")).encode(),
            headers={"X-Telegram-Bot-Api-Secret-Token": secret.encode()},
        )
    else:
        response = post_update(tg_client, update("text"), secret=secret)
    assert response.status_code == 403
    assert _messages(engine) == []


def test_without_a_configured_secret_the_webhook_refuses_everything(settings, fake, engine):
    no_secret = telegram_settings(settings, fake, telegram_webhook_secret=None)
    with TestClient(create_app(no_secret)) as client:
        assert post_update(client, update("text"), secret="anything").status_code == 403
        assert post_update(client, update("text"), secret="").status_code == 403
    assert _messages(engine) == []


def _typed(field: str, value: object) -> bytes:
    body = update("text", chat_id=123)
    body["message"][field] = value
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[1, 2]", "not a Telegram Update"),
        (b'{"message": {"text": "hi"}}', "not a Telegram Update"),
        (b'{"update_id": "1"}', "not a Telegram Update"),
        (b'{"update_id": true}', "not a Telegram Update"),
        (b'{"update_id": 5, "message": 7}', "not a Telegram Update"),
        (b'{"update_id": 5, "message": {"text": "no chat or date"}}', "not a Telegram Update"),
        # Well-formed but wrongly typed where we read (found by tests/webhooks/test_fuzz.py).
        (_typed("text", [None]), "not a Telegram Update"),
        (_typed("text", {"a": 1}), "not a Telegram Update"),
        (_typed("caption", 5), "not a Telegram Update"),
        # A date no clock can show made python-telegram-bot raise OverflowError (a 500).
        (_typed("date", 10**30), "not a Telegram Update"),
        (_typed("date", -(10**12)), "not a Telegram Update"),
        (json.dumps({"update_id": 2**70}).encode(), "not a Telegram Update"),
    ],
)
def test_malformed_bodies_are_400_with_a_clear_message(tg_client, engine, raw, detail):
    response = post_update(tg_client, None, raw=raw)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert _messages(engine) == []


def test_a_body_over_one_megabyte_is_413(tg_client, engine):
    padding = "x" * (1024 * 1024)
    big = json.dumps(update("text", text=padding)).encode()
    assert post_update(tg_client, None, raw=big).status_code == 413

    def chunks():  # no Content-Length: the limit holds while streaming too
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    response = tg_client.post(
        "/webhooks/telegram",
        content=chunks(),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert _messages(engine) == []


def test_a_text_from_a_stranger_is_stored_and_answered_with_the_code_question(tg_client, engine):
    body = update("text", language="kk")
    response = post_update(tg_client, body)

    assert response.status_code == 200
    inbound, reply = _messages(engine)
    assert inbound.provider_message_id == f"u:{body['update_id']}"
    assert (inbound.channel, inbound.address, inbound.kind) == ("telegram", str(CHAT), "text")
    assert inbound.body == "Привет"
    assert reply.direction == Direction.outbound and reply.address == str(CHAT)
    assert reply.body == translate("enroll.ask_code", "kk")


def test_the_same_update_three_times_is_one_message_and_one_reply(tg_worker_client, fake, engine):
    body = update("text")
    for _ in range(3):
        assert post_update(tg_worker_client, body).status_code == 200
    fake.wait_for("sendMessage", 1)

    assert len(_inbound(engine)) == 1
    assert len([m for m in _messages(engine) if m.direction == Direction.outbound]) == 1
    assert len(fake.calls_to("sendMessage")) == 1


def test_the_same_update_delivered_concurrently_is_one_message_and_one_reply(
    tg_worker_client, fake, engine
):
    body = update("text")
    statuses: list[int] = []
    barrier = threading.Barrier(3)

    def deliver() -> None:
        barrier.wait()
        statuses.append(post_update(tg_worker_client, body).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fake.wait_for("sendMessage", 1)

    assert statuses == [200, 200, 200]
    assert len(_inbound(engine)) == 1
    assert len([m for m in _messages(engine) if m.direction == Direction.outbound]) == 1
    assert len(fake.calls_to("sendMessage")) == 1


@pytest.mark.parametrize("name", ["group_message", "channel_post"])
def test_groups_and_channels_are_ignored(tg_client, engine, name):
    assert post_update(tg_client, update(name)).status_code == 200
    assert _messages(engine) == []


@pytest.mark.parametrize(
    ("name", "kind", "language"),
    [
        ("photo", "photo", "ru"),
        ("voice", "voice", "kk"),
        ("sticker", "sticker", "en"),
        ("document", "document", "ru"),
        ("location", "location", "kk"),
        ("edited_message", "edited", "en"),
    ],
)
def test_what_is_not_text_is_stored_as_what_it_is_and_answered_text_only(
    tg_client, engine, name, kind, language
):
    person, _ = make_enrolled(engine, channel="telegram", address=str(CHAT), language=language)

    assert post_update(tg_client, update(name)).status_code == 200

    inbound, first_reply, *_ = _messages(engine)
    assert inbound.kind == kind and inbound.person_id == person.id
    if name == "photo":
        assert inbound.body == "справка"  # the caption, as the officer should see it
    assert first_reply.body == translate("common.text_only", language)


def test_a_button_press_is_a_choice_and_is_acknowledged_after_the_commit(tg_client, fake, engine):
    make_enrolled(engine, channel="telegram", address=str(CHAT), language="en")
    body = update("callback_query", data="menu", message_id=33)

    assert post_update(tg_client, body).status_code == 200

    [inbound] = _inbound(engine)
    assert (inbound.kind, inbound.choice_id) == ("choice", "menu")
    [answer] = fake.wait_for("answerCallbackQuery", 1)
    assert answer.params["callback_query_id"] == body["callback_query"]["id"]
    [edit] = fake.wait_for("editMessageReplyMarkup", 1)
    assert (edit.params["chat_id"], edit.params["message_id"]) == (CHAT, 33)
    assert "reply_markup" not in edit.params  # the keyboard is removed

    assert post_update(tg_client, body).status_code == 200  # Telegram re-sends
    assert len(_inbound(engine)) == 1
    assert len(fake.calls_to("answerCallbackQuery")) == 1


def test_blocking_and_unblocking_mark_the_identity_once_each(tg_client, engine):
    person, identity = make_enrolled(engine, channel="telegram", address=str(CHAT))
    blocked = update("my_chat_member_blocked")

    for _ in range(2):
        assert post_update(tg_client, blocked).status_code == 200
    with Session(engine) as session:
        assert session.get(ChannelIdentity, identity.id).blocked is True
    assert post_update(tg_client, update("my_chat_member_unblocked")).status_code == 200

    with Session(engine) as session:
        assert session.get(ChannelIdentity, identity.id).blocked is False
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [(e.action, e.person_id, e.actor_kind) for e in events] == [
        ("channel.blocked", person.id, "person"),
        ("channel.unblocked", person.id, "person"),
    ]
    assert _messages(engine) == []


def test_a_stranger_blocking_the_bot_changes_nothing(tg_client, engine):
    assert post_update(tg_client, update("my_chat_member_blocked")).status_code == 200
    with Session(engine) as session:
        assert session.exec(select(ChannelIdentity)).all() == []
        assert session.exec(select(AuditEvent)).all() == []


def test_an_unavailable_database_is_503_so_telegram_retries(settings, fake):
    down = telegram_settings(
        settings, fake, database_url="postgresql+psycopg://postgres@127.0.0.1:9/none"
    )
    with TestClient(create_app(down)) as client:
        response = post_update(client, update("text"))
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_the_webhook_is_not_mounted_when_the_channel_is_off(client):
    assert post_update(client, update("text")).status_code == 404
