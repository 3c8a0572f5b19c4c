"""Reading Telegram's update shapes: what kind each is, and which chats count."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.channels.telegram.inbound import inbound_from_update, is_private
from tests.bot.channels.telegram.updates import update


def _parse(name: str, **changes) -> Update:
    return Update.de_json(update(name, **changes), None)


@pytest.mark.parametrize(
    ("name", "kind", "text", "choice"),
    [
        ("text", "text", "Привет", None),
        ("start_payload", "text", "/start Zm9vYmFyLWNvZGUtMTIzNDU2", None),
        ("callback_query", "choice", None, "c_yes"),
        ("edited_message", "edited", "Всё нормально, исправил", None),
        ("photo", "photo", "справка", None),
        ("voice", "voice", None, None),
        ("sticker", "sticker", None, None),
        ("document", "document", None, None),
        ("location", "location", None, None),
    ],
)
def test_each_shape_becomes_what_it_is(name, kind, text, choice):
    parsed = _parse(name)
    inbound = inbound_from_update(parsed)
    assert inbound is not None and is_private(parsed)
    assert (inbound.kind, inbound.text, inbound.choice) == (kind, text, choice)
    assert inbound.provider_message_id == f"u:{parsed.update_id}"
    assert inbound.address == "5550001" and inbound.channel == "telegram"


def test_the_language_hint_is_the_users_telegram_language():
    assert inbound_from_update(_parse("text", language="kk")).language_hint == "kk"


@pytest.mark.parametrize("name", ["group_message", "channel_post"])
def test_groups_and_channels_are_not_private(name):
    assert not is_private(_parse(name))


def test_member_updates_carry_no_message():
    assert inbound_from_update(_parse("my_chat_member_blocked")) is None


def test_service_messages_are_not_treated_as_something_said():
    body = update("text")
    del body["message"]["text"]
    body["message"]["message_auto_delete_timer_changed"] = {"message_auto_delete_time": 86400}
    assert inbound_from_update(Update.de_json(body, None)) is None


def test_an_unknown_kind_of_content_is_other_not_an_error():
    body = update("text")
    del body["message"]["text"]
    body["message"]["some_future_content"] = {"id": 1}
    inbound = inbound_from_update(Update.de_json(body, None))
    assert inbound is not None and (inbound.kind, inbound.text) == ("other", None)
