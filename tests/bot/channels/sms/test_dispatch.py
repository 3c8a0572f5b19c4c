"""The dispatcher with the SMS channel: nothing goes to a number that opted out, Twilio's
answers decide retry or fallback, and each send is recorded as soon as it is made."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.channels.base import OutboundMessage, SendResult, TransientSendError
from bot.channels.sms.adapter import TwilioSmsChannel
from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.delivery.fallback import KEYWORD_REPLY_KIND
from bot.delivery.outbox import Dispatcher
from bot.models import ChannelIdentity, Escalation, Message
from bot.models.enums import Direction, MessageStatus
from tests.channels import ScriptedChannel
from tests.factories import make_enrolled
from tests.fakes.twilio_api import FakeTwilioApi, error

PHONE = "+77011234567"


@pytest.fixture
async def sms(sms_settings: Settings) -> AsyncIterator[TwilioSmsChannel]:
    adapter = TwilioSmsChannel(sms_settings)
    await adapter.start()
    yield adapter
    await adapter.stop()


def _queue(engine: Engine, identity: ChannelIdentity, body: str, kind: str = "checkin") -> int:
    with Session(engine) as session:
        message = Message(
            direction=Direction.outbound,
            channel=identity.channel,
            address=identity.address,
            person_id=identity.person_id,
            identity_id=identity.id,
            kind=kind,
            body=body,
            choices=[{"id": "c_yes", "label": "Да"}, {"id": "c_no", "label": "Нет"}],
            language="ru",
            status=MessageStatus.queued,
            next_attempt_at=utcnow(),
        )
        session.add(message)
        session.commit()
        assert message.id is not None
        return message.id


def _get(engine: Engine, model, row_id: int):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.get(model, row_id)


def _opt_out(engine: Engine, identity: ChannelIdentity) -> None:
    with Session(engine) as session:
        row = session.get(ChannelIdentity, identity.id)
        assert row is not None
        row.opted_out = True
        session.add(row)
        session.commit()


async def test_a_message_queued_before_stop_is_held_back_and_goes_to_telegram(
    engine: Engine, sms: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    person, identity = make_enrolled(engine, channel="sms", address=PHONE)
    with Session(engine) as session:
        session.add(ChannelIdentity(person_id=person.id, channel="telegram", address="55"))
        session.commit()
    message_id = _queue(engine, identity, "Как вы?")
    _opt_out(engine, identity)  # STOP arrived after the check-in was queued
    telegram = ScriptedChannel("telegram")

    summary = await Dispatcher(engine, {"sms": sms, "telegram": telegram}).run_once()

    assert twilio_api.calls == []
    held = _get(engine, Message, message_id)
    assert held.status == MessageStatus.failed and "opted out" in held.error
    assert summary.failed == 1
    await Dispatcher(engine, {"sms": sms, "telegram": telegram}).run_once()
    assert [(m.address, m.text) for m in telegram.sent] == [("55", "Как вы?")]


async def test_the_opt_out_confirmation_itself_still_goes_out(
    engine: Engine, sms: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    _opt_out(engine, identity)
    message_id = _queue(engine, identity, "Вы больше не будете получать…", KEYWORD_REPLY_KIND)
    await Dispatcher(engine, {"sms": sms}).run_once()
    assert len(twilio_api.sent()) == 1
    assert _get(engine, Message, message_id).status == MessageStatus.sent


async def test_twilio_21610_marks_the_identity_opted_out_and_tells_the_officer(
    engine: Engine, sms: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    twilio_api.script(error(21610))
    message_id = _queue(engine, identity, "Как вы?")

    summary = await Dispatcher(engine, {"sms": sms}).run_once()

    assert summary.failed == 1
    assert _get(engine, Message, message_id).status == MessageStatus.failed
    stored = _get(engine, ChannelIdentity, identity.id)
    assert (stored.opted_out, stored.blocked) == (True, False)
    with Session(engine) as session:
        reasons = sorted(e.reason for e in session.exec(select(Escalation)))
    assert reasons == ["opted_out", "unreachable"]  # why, and what it means: no channel left


async def test_twilio_429_and_5xx_are_retried_with_backoff(
    engine: Engine, sms: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    twilio_api.script(error(20429, 429))
    message_id = _queue(engine, identity, "Как вы?")
    await Dispatcher(engine, {"sms": sms}).run_once()
    retried = _get(engine, Message, message_id)
    assert retried.status == MessageStatus.queued and retried.attempts == 1
    assert retried.next_attempt_at > utcnow()


async def test_the_provider_id_is_stored_as_the_sm_sid(
    engine: Engine, sms: TwilioSmsChannel, twilio_api: FakeTwilioApi
) -> None:
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    message_id = _queue(engine, identity, "Как вы?")
    await Dispatcher(engine, {"sms": sms}).run_once()
    [call] = twilio_api.sent()
    assert _get(engine, Message, message_id).provider_message_id == call.sid
    assert call.form["Body"] == "Как вы?\n1 Да\n2 Нет\nОтветьте 1 или 2"


class _Recorder:
    """A channel whose every send looks at what the database already knows."""

    name = "sms"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stored_before: list[list[str | None]] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: OutboundMessage) -> SendResult:
        with Session(self.engine) as session:
            ids = session.exec(select(Message.provider_message_id).order_by(col(Message.id))).all()
        self.stored_before.append(list(ids))
        return SendResult(provider_message_id=f"SM{message.message_id}", status="sent")


async def test_a_long_pass_records_sends_as_it_goes(engine: Engine) -> None:
    # With SMS paced at one a second a pass can take a minute; a status callback for the
    # first message must find its sid while the pass goes on (recorded every second; here
    # after every send).
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    first = _queue(engine, identity, "one")
    _queue(engine, identity, "two")
    recorder = _Recorder(engine)
    await Dispatcher(engine, {"sms": recorder}, record_every_seconds=0).run_once()
    assert recorder.stored_before == [[None, None], [f"SM{first}", None]]


async def test_a_deferred_send_does_not_use_an_attempt(engine: Engine) -> None:
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    channel = ScriptedChannel("sms")
    channel.fail_next(TransientSendError("paced", retry_after=30, consumes_attempt=False))
    message_id = _queue(engine, identity, "Как вы?")
    await Dispatcher(engine, {"sms": channel}).run_once()
    deferred = _get(engine, Message, message_id)
    assert (deferred.status, deferred.attempts) == (MessageStatus.queued, 0)
