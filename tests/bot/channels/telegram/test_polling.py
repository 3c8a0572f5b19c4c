"""Long polling: getUpdates feeding the same pipeline as the webhook, confirming an
update only once it is stored, and refusing to run while a webhook is set."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from bot.channels.telegram.adapter import ALLOWED_UPDATES, TelegramChannel
from bot.channels.telegram.polling import WebhookActive, poll
from bot.core.runtime import Runtime
from bot.models import Message
from tests.bot.channels.telegram.updates import update
from tests.fakes.telegram_fixtures import telegram_settings

CHAT = 7300


async def _eventually(check) -> None:
    async with asyncio.timeout(8):
        while not check():  # noqa: ASYNC110 (state changes in other threads)
            await asyncio.sleep(0.05)


@pytest.fixture
async def runtime(tg_settings):
    runtime = Runtime.build(tg_settings, with_worker=True)
    await runtime.start()
    yield runtime
    await runtime.stop()


def _channel(runtime: Runtime) -> TelegramChannel:
    channel = runtime.channels["telegram"]
    assert isinstance(channel, TelegramChannel)
    return channel


async def test_polled_updates_are_stored_answered_and_confirmed(runtime, fake, engine):
    text = update("text", chat_id=CHAT)
    group = update("group_message")
    fake.push_update(text)
    fake.push_update(group)
    stop = asyncio.Event()
    task = asyncio.create_task(poll(runtime, _channel(runtime), stop, long_poll_seconds=1))

    await _eventually(lambda: len(fake.calls_to("sendMessage")) == 1)
    await _eventually(lambda: any(c.params.get("offset") for c in fake.calls_to("getUpdates")))
    stop.set()
    handled = await asyncio.wait_for(task, timeout=5)

    assert handled == 2
    with Session(engine) as session:
        [inbound] = session.exec(select(Message).where(Message.direction == "in")).all()
    assert inbound.provider_message_id == f"u:{text['update_id']}"
    assert fake.calls_to("sendMessage")[0].params["chat_id"] == CHAT
    first, *later = fake.calls_to("getUpdates")
    assert first.params.get("offset") is None
    assert first.params["allowed_updates"] == list(ALLOWED_UPDATES)
    assert later[0].params["offset"] == group["update_id"] + 1  # both confirmed
    assert fake.updates == []


async def test_polling_refuses_to_start_while_a_webhook_is_set(runtime, fake):
    fake.webhook.url = "https://bot.example.kz/webhooks/telegram"
    with pytest.raises(WebhookActive) as raised:
        await poll(runtime, _channel(runtime), asyncio.Event(), long_poll_seconds=1)
    assert raised.value.url == "https://bot.example.kz/webhooks/telegram"
    assert fake.calls_to("getUpdates") == []


async def test_a_webhook_set_while_polling_stops_the_poller(runtime, fake):
    stop = asyncio.Event()  # never set: the webhook is what ends it
    task = asyncio.create_task(poll(runtime, _channel(runtime), stop, long_poll_seconds=1))
    await _eventually(lambda: len(fake.calls_to("getUpdates")) >= 1)
    fake.webhook.url = "https://bot.example.kz/webhooks/telegram"
    with pytest.raises(WebhookActive):
        await asyncio.wait_for(task, timeout=5)


async def test_an_update_that_could_not_be_stored_is_not_confirmed(settings, fake):
    down = telegram_settings(
        settings, fake, database_url="postgresql+psycopg://postgres@127.0.0.1:9/none"
    )
    runtime = Runtime.build(down, with_worker=False)
    await runtime.start()
    body = update("text", chat_id=CHAT)
    fake.push_update(body)
    stop = asyncio.Event()
    try:
        task = asyncio.create_task(poll(runtime, _channel(runtime), stop, long_poll_seconds=1))
        await asyncio.sleep(0.5)
        stop.set()
        handled = await asyncio.wait_for(task, timeout=5)
    finally:
        await runtime.stop()
    assert handled == 0
    assert [u["update_id"] for u in fake.updates] == [body["update_id"]]  # fetched again later
    assert all(c.params.get("offset") is None for c in fake.calls_to("getUpdates"))
