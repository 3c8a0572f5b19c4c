"""The webhook's quick look at plain updates: it takes only what python-telegram-bot
would read the same way, and leaves everything else to it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.channels.telegram.inbound import badly_typed, is_private
from bot.channels.telegram.plain_update import PlainUpdate, plain_update
from tests.bot.channels.telegram.updates import update


@pytest.mark.parametrize("name", ["text", "callback_query"])
def test_a_text_and_a_press_in_a_private_chat_are_plain(name: str) -> None:
    body = update(name, chat_id=5550001, update_id=815000009)
    assert plain_update(body) == PlainUpdate(update_id=815000009, chat_id=5550001)


@pytest.mark.parametrize(
    "name",
    ["group_message", "channel_post", "edited_message", "photo", "sticker", "start_payload",
     "my_chat_member_blocked", "location", "voice", "document"],
)  # fmt: skip
def test_other_kinds_go_to_the_full_parser(name: str) -> None:
    assert plain_update(update(name)) is None


def _changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body = update("text", chat_id=5550001)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("update_id",), True),
        (("update_id",), 2**70),
        (("update_id",), "5"),
        (("message", "chat", "id"), 2**64),
        (("message", "chat", "type"), "group"),
        (("message", "date"), 10**30),
        (("message", "date"), -1),
        (("message", "text"), ["a list"]),
        (("message", "from", "is_bot"), 0),
        (("message", "entities"), [{"type": "bot_command", "offset": 0, "length": 6}]),
        (("message", "reply_markup"), {"inline_keyboard": [[{"text": 5}]]}),
        (("extra",), 1),
    ],
)
def test_anything_unusual_goes_to_the_full_parser(path: tuple[str, ...], value: Any) -> None:
    assert plain_update(_changed(path, value)) is None


# Values of every JSON type, to put where the plain shapes expect one type.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _like(value: Any) -> st.SearchStrategy[Any]:
    """Another value of the same JSON type (any size: ids past 64 bits, any date)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers() | st.integers(-(2**65), 2**65)
    if isinstance(value, str):
        return st.text(max_size=12) | st.sampled_from(["private", "group", "channel", ""])
    return json_values


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_whatever_it_takes_python_telegram_bot_reads_to_the_same_id_and_chat(data) -> None:
    body = copy.deepcopy(update(data.draw(st.sampled_from(["text", "callback_query"]))))
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(st.sampled_from(_paths(body)))
        node = body
        for key in path[:-1]:
            node = node[key]
        how = data.draw(st.sampled_from(["same type", "same type", "any type", "missing"]))
        if how == "missing" and isinstance(node, dict):
            del node[path[-1]]
        elif how == "same type":
            node[path[-1]] = data.draw(_like(node[path[-1]]))
        else:
            node[path[-1]] = data.draw(json_values)
        if data.draw(st.booleans()) and isinstance(node, dict):
            node[data.draw(st.text(max_size=6))] = data.draw(json_values)  # one more field
        if not _paths(body):
            break
    body = json.loads(json.dumps(body))  # as it comes off the wire

    plain = plain_update(body)

    if plain is not None:
        parsed = Update.de_json(body, None)
        assert badly_typed(parsed) is None and is_private(parsed)
        assert parsed.update_id == plain.update_id
        assert parsed.effective_chat is not None and parsed.effective_chat.id == plain.chat_id


def _handled_both_ways(engine, settings, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    """What handle_update_in and handle_plain_update_in each do with `body`, from the same
    database state (each in a savepoint, undone after)."""
    from sqlmodel import Session, col, select

    from bot.channels.telegram.inbound import handle_plain_update_in, handle_update_in
    from bot.core.clock import utcnow
    from bot.models import Message

    now = utcnow()
    results = []
    with Session(engine) as session:
        for way in ("python-telegram-bot", "plain"):
            with session.begin_nested() as savepoint:
                if way == "plain":
                    plain = plain_update(body)
                    assert plain is not None
                    outcome = handle_plain_update_in(
                        session, body, plain, settings=settings, now=now
                    )
                else:
                    outcome = handle_update_in(
                        session, Update.de_json(body, None), settings=settings, now=now
                    )
                session.flush()
                rows = [
                    (m.direction, m.address, m.kind, m.body, m.choice_id, m.provider_message_id)
                    for m in session.exec(select(Message).order_by(col(Message.id))).all()
                ]
                results.append((outcome, rows))
                savepoint.rollback()
    return results


@pytest.mark.parametrize(
    "body",
    [
        update("text", chat_id=5550001, text="мне нужна работа"),
        update("text", chat_id=5550002, text="/start"),
        update("callback_query", chat_id=5550001, data="lang:kk"),
        update("callback_query", chat_id=5550001, data="c_yes"),
    ],
    ids=["text", "start", "a language button", "an unknown button"],
)
def test_a_plain_update_is_handled_as_python_telegram_bot_reads_it(engine, settings, body):
    with_ptb, plain = _handled_both_ways(engine, settings, body)
    assert plain == with_ptb
    assert with_ptb[1]  # something was stored and answered


def test_a_press_without_data_and_a_message_without_text_are_handled_alike(engine, settings):
    pressed = update("callback_query", chat_id=5550001)
    del pressed["callback_query"]["data"]
    silent = update("text", chat_id=5550001)
    del silent["message"]["text"]
    for body in (pressed, silent):
        with_ptb, plain = _handled_both_ways(engine, settings, body)
        assert plain == with_ptb
