"""The Telegram adapter against the fake Bot API: what goes over the wire, how each
provider error is translated, pacing, and start-up with and without Telegram."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
import warnings

import pytest
from telegram.error import RetryAfter

from bot.channels.base import OutboundMessage, PermanentSendError, TransientSendError
from bot.channels.telegram.adapter import (
    MAX_INLINE_PAUSE_SECONDS,
    TelegramChannel,
    retry_after_seconds,
    telegram_link,
)
from tests.fakes import telegram_api
from tests.fakes.telegram_api import TOKEN
from tests.fakes.telegram_fixtures import telegram_settings

CHAT = 7001


def _out(text: str = "Hello", *, choices=(), address: str = str(CHAT), message_id: int = 1):
    return OutboundMessage(
        message_id=message_id, channel="telegram", address=address, text=text, choices=choices
    )


@pytest.fixture
async def channel(tg_settings):
    adapter = TelegramChannel(tg_settings)
    await adapter.start()
    yield adapter
    await adapter.stop()


async def test_start_learns_the_username_and_builds_invite_links(channel, fake):
    assert [c.method for c in fake.calls] == ["getMe"]
    assert channel.username == telegram_api.BOT_USERNAME
    link = telegram_link({"telegram": channel}, "Abc_123-xyz")
    assert link == f"https://t.me/{telegram_api.BOT_USERNAME}?start=Abc_123-xyz"
    assert telegram_link({}, "Abc_123-xyz") is None


async def test_a_plain_message_is_html_escaped_and_its_provider_id_names_the_chat(channel, fake):
    result = await channel.send(_out('Tom & Jerry <b>not bold</b> "quoted"'))

    [call] = fake.calls_to("sendMessage")
    assert call.params["chat_id"] == CHAT
    assert call.params["text"] == 'Tom &amp; Jerry &lt;b&gt;not bold&lt;/b&gt; "quoted"'
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_markup" not in call.params
    assert result.provider_message_id == f"{CHAT}:1" and result.status == "sent"


async def test_choices_become_an_inline_keyboard_carrying_ids_not_labels(channel, fake):
    await channel.send(_out("Mood?", choices=tuple((f"m{i}", str(i)) for i in range(1, 6))))
    await channel.send(_out("Язык?", choices=(("l_ru", "Русский"), ("l_kk", "Қазақша"))))

    mood, language = (c.params["reply_markup"] for c in fake.calls_to("sendMessage"))
    assert mood == {
        "inline_keyboard": [[{"text": str(i), "callback_data": f"m{i}"} for i in range(1, 6)]]
    }
    assert language == {
        "inline_keyboard": [
            [{"text": "Русский", "callback_data": "l_ru"}],
            [{"text": "Қазақша", "callback_data": "l_kk"}],
        ]
    }


async def test_callback_data_is_limited_in_bytes_not_characters(channel, fake):
    fits = "д" * 32  # 64 bytes in UTF-8
    await channel.send(_out("ok", choices=((fits, "OK"),)))
    with pytest.raises(PermanentSendError, match="66 bytes"):
        await channel.send(_out("too long", choices=(("д" * 33, "OK"),)))
    assert len(fake.calls_to("sendMessage")) == 1


async def test_a_long_text_goes_in_parts_cut_at_paragraphs_with_the_keyboard_last(channel, fake):
    paragraphs = [f"Paragraph {n}. " + "word " * 300 for n in range(6)]  # ~1.5k chars each
    text = "\n\n".join(p.strip() for p in paragraphs)

    result = await channel.send(_out(text, choices=(("ok", "OK"),)))

    calls = fake.calls_to("sendMessage")
    assert len(calls) == 3
    texts = [c.params["text"] for c in calls]
    assert all(len(t) <= 4096 for t in texts)
    assert all(t.startswith("Paragraph") and t.endswith("word") for t in texts)
    assert "\n\n".join(texts) == text
    assert [("reply_markup" in c.params) for c in calls] == [False, False, True]
    assert result.provider_message_id == f"{CHAT}:3"


async def test_a_failed_part_is_retried_without_repeating_the_parts_delivered(channel, fake):
    text = "\n\n".join(f"Part {n}. " + "x " * 1500 for n in range(3))
    fake.script("sendMessage", telegram_api.ok(), telegram_api.server_error(502))
    with pytest.raises(TransientSendError):
        await channel.send(_out(text, message_id=42))

    result = await channel.send(_out(text, message_id=42))

    texts = [c.params["text"] for c in fake.calls_to("sendMessage")]
    assert [t.split(".")[0] for t in texts] == ["Part 0", "Part 1", "Part 1", "Part 2"]
    assert result.provider_message_id == f"{CHAT}:3"


@pytest.mark.parametrize(
    ("answer", "unreachable"),
    [
        (telegram_api.blocked(), True),
        (telegram_api.error(403, "Forbidden: user is deactivated"), True),
        (telegram_api.error(400, "Bad Request: chat not found"), True),
        (telegram_api.error(400, "Bad Request: can't parse entities"), False),
    ],
)
async def test_refusals_are_permanent_and_say_whether_the_chat_is_gone(
    channel, fake, answer, unreachable
):
    fake.script("sendMessage", answer)
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(_out())
    assert raised.value.identity_unreachable is unreachable
    # PTB drops the "Bad Request: " prefix and capitalises what follows.
    said = answer.body["description"].split(": ", 1)[1]
    assert said.lower() in raised.value.reason.lower()


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_transient(channel, fake, status):
    fake.script("sendMessage", telegram_api.server_error(status))
    with pytest.raises(TransientSendError) as raised:
        await channel.send(_out())
    assert raised.value.retry_after is None  # the outbox backs off with jitter


async def test_a_hanging_server_times_out_as_transient(channel, fake):
    fake.script("sendMessage", telegram_api.hang(10))
    started = time.monotonic()
    with pytest.raises(TransientSendError, match="TimedOut"):
        await channel.send(_out())
    assert time.monotonic() - started < 5


async def test_retry_after_pauses_every_send_for_the_time_named(channel, fake):
    fake.script("sendMessage", telegram_api.retry_after(1))
    with pytest.raises(TransientSendError) as raised:
        await channel.send(_out())
    assert raised.value.retry_after == 1

    await channel.send(_out(address="7002", message_id=2))  # another chat waits too

    first, second = fake.calls_to("sendMessage")
    assert second.at - first.at >= 0.9


async def test_a_long_pause_hands_messages_back_without_calling_telegram(channel, fake):
    fake.script("sendMessage", telegram_api.retry_after(30))
    with pytest.raises(TransientSendError):
        await channel.send(_out())
    with pytest.raises(TransientSendError) as raised:
        await channel.send(_out(address="7002", message_id=2))
    assert MAX_INLINE_PAUSE_SECONDS < raised.value.retry_after <= 30
    assert len(fake.calls_to("sendMessage")) == 1


async def test_one_chat_gets_at_most_its_rate_while_other_chats_are_not_held(settings, fake):
    adapter = TelegramChannel(telegram_settings(settings, fake, telegram_per_chat_per_second=4))
    try:
        for n in range(3):
            await adapter.send(_out(f"same chat {n}", message_id=n))
        await adapter.send(_out("other chat", address="7002", message_id=9))
    finally:
        await adapter.stop()
    calls = fake.calls_to("sendMessage")
    same = [c.at for c in calls if c.params["chat_id"] == CHAT]
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(same))
    other = next(c.at for c in calls if c.params["chat_id"] == 7002)
    assert other - same[-1] < 0.2


async def test_the_global_rate_holds_across_chats(settings, fake):
    adapter = TelegramChannel(telegram_settings(settings, fake, telegram_messages_per_second=5))
    started = time.monotonic()
    try:
        for n in range(10):
            await adapter.send(_out(f"chat {n}", address=str(8000 + n), message_id=n))
    finally:
        await adapter.stop()
    # A bucket of 5 lets the first 5 through at once; the next 5 take about a second.
    assert time.monotonic() - started >= 0.8


async def test_start_survives_an_unreachable_telegram_and_retries_get_me(settings, fake, caplog):
    fake.script("getMe", telegram_api.server_error(502))
    adapter = TelegramChannel(telegram_settings(settings, fake), getme_retry_seconds=0.1)
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram.adapter"):
        await adapter.start()
    assert adapter.username is None and adapter.deep_link("code123") is None
    assert any("getMe failed" in r.getMessage() for r in caplog.records)
    try:
        for _ in range(50):
            if adapter.username is not None:
                break
            await asyncio.sleep(0.05)
        assert adapter.username == telegram_api.BOT_USERNAME
        assert len(fake.calls_to("getMe")) == 2
    finally:
        await adapter.stop()


async def test_the_token_never_reaches_logs_or_stored_errors(settings, fake, caplog):
    fake.script("getMe", telegram_api.error(401, "Unauthorized"))
    adapter = TelegramChannel(telegram_settings(settings, fake), getme_retry_seconds=60)
    fake.script("sendMessage", telegram_api.error(401, "Unauthorized"))
    with caplog.at_level(logging.DEBUG, logger="bot"):
        await adapter.start()
        with pytest.raises(TransientSendError) as raised:
            await adapter.send(_out())
        await adapter.stop()
    assert TOKEN not in raised.value.reason
    logged = "\n".join(
        f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}" for r in caplog.records
    )
    assert TOKEN not in logged


@pytest.mark.parametrize("opt_in", ["true", "false"])
def test_retry_after_is_read_in_both_of_ptbs_forms_without_a_warning(monkeypatch, opt_in):
    monkeypatch.setenv("PTB_TIMEDELTA", opt_in)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exc = RetryAfter(3)  # PTB itself warns here when not opted in
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert retry_after_seconds(exc) == 3.0
