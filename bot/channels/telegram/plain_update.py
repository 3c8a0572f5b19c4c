"""The webhook's quick look at the updates Telegram sends most: a text from a private
chat, and a button pressed in one.

python-telegram-bot builds a whole object tree from an update (a quarter of the
webhook's own time) only for the webhook to read its id and chat. An update in one of
these shapes, with every field of the type Telegram documents and nothing else, is one
python-telegram-bot reads without complaint: for it, the webhook takes the id and chat
from the JSON as it is. Anything else — another kind of update, another field, a value of
another type — goes through python-telegram-bot's parser as before, so what the webhook
refuses (400) is unchanged. tests/bot/channels/telegram/test_plain_update.py checks that
every update taken here is one python-telegram-bot parses to the same id and chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Telegram's dates are Unix seconds; a value past this is not a date (and would not fit
# a datetime), so it goes to the full parser.
_LAST_DATE = 2**32

# field: (types it may have, required)
_Shape = dict[str, tuple[tuple[type, ...], bool]]

_USER: _Shape = {
    "id": ((int,), True),
    "is_bot": ((bool,), True),
    "first_name": ((str,), True),
    "last_name": ((str,), False),
    "username": ((str,), False),
    "language_code": ((str,), False),
    "is_premium": ((bool,), False),
}
_CHAT: _Shape = {
    "id": ((int,), True),
    "type": ((str,), True),
    "first_name": ((str,), False),
    "last_name": ((str,), False),
    "username": ((str,), False),
}
_MESSAGE: _Shape = {
    "message_id": ((int,), True),
    "date": ((int,), True),
    "chat": ((dict,), True),
    "from": ((dict,), False),
    "text": ((str,), False),
    "reply_markup": ((dict,), False),
}
_BUTTON: _Shape = {
    "text": ((str,), True),
    "callback_data": ((str,), False),
}
_QUERY: _Shape = {
    "id": ((str,), True),
    "from": ((dict,), True),
    "chat_instance": ((str,), True),
    "data": ((str,), False),
    "message": ((dict,), False),
}


def provider_id(update_id: int) -> str:
    """An update's id as stored: the stored event's and its message's provider id, which
    makes a second delivery of the same update a no-op."""
    return f"u:{update_id}"


@dataclass(frozen=True)
class PlainUpdate:
    update_id: int
    chat_id: int

    @property
    def provider_id(self) -> str:
        return provider_id(self.update_id)


def plain_update(data: Any) -> PlainUpdate | None:
    """The id and private chat of an update in one of the plain shapes; None for any
    other (python-telegram-bot decides)."""
    if not isinstance(data, dict) or len(data) != 2 or not _is_int(data.get("update_id")):
        return None
    if "message" in data:
        chat = _message_chat(data["message"])
    elif "callback_query" in data:
        chat = _query_chat(data["callback_query"])
    else:
        return None
    if chat is None:
        return None
    return PlainUpdate(update_id=data["update_id"], chat_id=chat)


def _message_chat(message: Any) -> int | None:
    if not _fits(message, _MESSAGE) or not 0 <= message["date"] < _LAST_DATE:
        return None
    chat = message["chat"]
    if not _fits(chat, _CHAT) or chat["type"] != "private":
        return None
    if "from" in message and not _fits(message["from"], _USER):
        return None
    if "reply_markup" in message and not _is_keyboard(message["reply_markup"]):
        return None
    return int(chat["id"])


def _is_keyboard(markup: dict[str, Any]) -> bool:
    """Our own buttons, as a pressed button's message carries them back."""
    rows = markup.get("inline_keyboard")
    if len(markup) != 1 or not isinstance(rows, list):
        return False
    return all(
        isinstance(row, list) and all(_fits(button, _BUTTON) for button in row) for row in rows
    )


def _query_chat(query: Any) -> int | None:
    if not _fits(query, _QUERY) or not _fits(query["from"], _USER):
        return None
    if "message" not in query:
        return None  # a button under an inline message: no chat to answer in
    return _message_chat(query["message"])


def _fits(value: Any, shape: _Shape) -> bool:
    if not isinstance(value, dict):
        return False
    for key, field in value.items():
        expected = shape.get(key)
        if expected is None or not _has_type(field, expected[0]):
            return False
    return all(key in value for key, (_, required) in shape.items() if required)


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    if int in types:
        return _is_int(value)
    return isinstance(value, types)


def _is_int(value: Any) -> bool:
    # JSON's true is a Python bool, which is an int; Telegram's ids are never booleans,
    # and fit 64 bits (a longer one would not fit the provider id or lane columns).
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
