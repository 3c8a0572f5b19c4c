"""The outbox dispatcher sending through the Telegram adapter to the fake Bot API:
flood control, blocked chats, timeouts, as recorded on the message rows."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, col, select

from bot.channels.telegram.adapter import TelegramChannel
from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.delivery.outbox import Dispatcher
from bot.models import ChannelIdentity, Escalation, Message
from bot.models.enums import Direction, MessageStatus
from tests.factories import make_enrolled
from tests.fakes import telegram_api

CHAT = 6100


def _queue(engine, person_id: int, identity: ChannelIdentity, body: str = "Hello") -> int:
    with session_scope(engine) as session:
        message = Message(
            direction=Direction.outbound,
            channel=identity.channel,
            address=identity.address,
            person_id=person_id,
            identity_id=identity.id,
            kind="reply",
            body=body,
            choices=[{"id": "c_yes", "label": "Да"}, {"id": "c_no", "label": "Нет"}],
            language="ru",
            status=MessageStatus.queued,
            next_attempt_at=utcnow(),
        )
        session.add(message)
        session.flush()
        assert message.id is not None
        return message.id


def _message(engine, message_id: int) -> Message:
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


@pytest.fixture
async def dispatcher(engine, tg_settings):
    channel = TelegramChannel(tg_settings)
    await channel.start()
    yield Dispatcher(engine, {"telegram": channel}, poll_seconds=0.05)
    await channel.stop()


async def _run_until(dispatcher: Dispatcher, done) -> None:
    async with asyncio.timeout(8):
        while True:
            await dispatcher.run_once()
            if done():
                return
            await asyncio.sleep(0.05)


async def test_a_429_is_delivered_once_after_the_pause(engine, fake, dispatcher):
    person, identity = make_enrolled(engine, channel="telegram", address=str(CHAT))
    message_id = _queue(engine, person.id, identity)
    fake.script("sendMessage", telegram_api.retry_after(1))

    await dispatcher.run_once()
    waiting = _message(engine, message_id)
    assert waiting.status == MessageStatus.queued and "RetryAfter" in waiting.error
    await _run_until(dispatcher, lambda: _message(engine, message_id).status == "sent")

    first, second = fake.calls_to("sendMessage")
    assert second.at - first.at >= 1.0
    sent = _message(engine, message_id)
    assert sent.provider_message_id == f"{CHAT}:1"  # the only message the chat received
    assert sent.attempts == 2 and sent.error is None
    assert second.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "c_yes"


async def test_blocked_goes_to_the_persons_sms_identity(engine, fake, dispatcher):
    person, identity = make_enrolled(engine, channel="telegram", address=str(CHAT))
    with session_scope(engine) as session:
        session.add(ChannelIdentity(person_id=person.id, channel="sms", address="+77011234567"))
    message_id = _queue(engine, person.id, identity, body="Как дела?")
    fake.script("sendMessage", telegram_api.blocked())

    await dispatcher.run_once()

    assert _message(engine, message_id).status == MessageStatus.failed
    with Session(engine) as session:
        assert session.get(ChannelIdentity, identity.id).blocked is True
        rerouted = session.exec(
            select(Message).where(col(Message.id) != message_id, Message.channel == "sms")
        ).one()
        assert session.exec(select(Escalation)).all() == []
    assert (rerouted.address, rerouted.body, rerouted.status) == (
        "+77011234567",
        "Как дела?",
        MessageStatus.queued,
    )


async def test_blocked_without_another_channel_tells_the_officer(engine, fake, dispatcher):
    person, identity = make_enrolled(engine, channel="telegram", address=str(CHAT))
    message_id = _queue(engine, person.id, identity)
    fake.script("sendMessage", telegram_api.blocked())

    await dispatcher.run_once()

    assert _message(engine, message_id).status == MessageStatus.failed
    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
        assert session.get(ChannelIdentity, identity.id).blocked is True
    assert (escalation.person_id, escalation.reason, escalation.severity) == (
        person.id,
        "unreachable",
        "low",
    )


@pytest.mark.parametrize("answer", [telegram_api.hang(10), telegram_api.server_error(502)])
async def test_timeouts_and_server_errors_are_retried_with_backoff(
    engine, fake, dispatcher, answer
):
    person, identity = make_enrolled(engine, channel="telegram", address=str(CHAT))
    message_id = _queue(engine, person.id, identity)
    fake.script("sendMessage", answer)

    before = utcnow()
    await dispatcher.run_once()

    retried = _message(engine, message_id)
    assert retried.status == MessageStatus.queued and retried.attempts == 1
    assert retried.next_attempt_at > before
    await _run_until(dispatcher, lambda: _message(engine, message_id).status == "sent")
    assert len(fake.calls_to("sendMessage")) == 2
