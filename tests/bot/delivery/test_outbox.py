"""The outbox dispatcher: claims, sends, retries, reroutes, and survives crashes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.delivery.lanes import DispatcherLanes
from bot.delivery.outbox import Dispatcher, claim_outbound
from bot.models import ChannelIdentity, Escalation, Message
from bot.models.enums import Direction, MessageStatus
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.channels import ScriptedChannel, blocked, transient
from tests.factories import make_enrolled


def _outbound(engine) -> list[Message]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message)
                .where(Message.direction == Direction.outbound)
                .order_by(col(Message.id))
            ).all()
        )


def _queue(engine, person, identity, body="hi") -> int:
    with Session(engine) as session:
        message = Message(
            direction=Direction.outbound,
            channel=identity.channel,
            address=identity.address,
            person_id=person.id,
            identity_id=identity.id,
            body=body,
            status=MessageStatus.queued,
            next_attempt_at=utcnow(),
        )
        session.add(message)
        session.commit()
        return message.id


async def test_a_reply_committed_before_a_crash_is_sent_by_the_next_run(engine, settings):
    # The web process committed the reply and died before any dispatcher ran.
    process_inbound(
        engine, InboundMessage("simulator", "phone-1", "p-1", text="hello"), settings=settings
    )
    assert [m.status for m in _outbound(engine)] == [MessageStatus.queued]

    channel = ScriptedChannel()
    summary = await Dispatcher(engine, {"simulator": channel}).run_once()

    assert summary.sent == 1 and len(channel.sent) == 1
    assert channel.sent[0].address == "phone-1"
    [message] = _outbound(engine)
    assert message.status == MessageStatus.sent and message.provider_message_id == "simulator-1"


async def test_a_row_left_sending_by_a_crashed_dispatcher_is_claimed_again_after_the_lease(
    engine, settings
):
    person, identity = make_enrolled(engine)
    _queue(engine, person, identity)
    with Session(engine) as session:
        claimed = claim_outbound(session, utcnow(), 10)
        session.commit()
    assert len(claimed) == 1  # ...and then the process died mid-send

    channel = ScriptedChannel()
    dispatcher = Dispatcher(engine, {"simulator": channel})
    assert (await dispatcher.run_once()).claimed == 0  # leased: not yet

    dispatcher.clock = lambda: utcnow() + timedelta(minutes=6)
    assert (await dispatcher.run_once()).sent == 1
    assert _outbound(engine)[0].attempts == 2


async def test_two_dispatchers_never_claim_the_same_row(engine, settings):
    person, identity = make_enrolled(engine)
    for n in range(20):
        _queue(engine, person, identity, body=f"m{n}")
    with Session(engine) as first, Session(engine) as second:
        a = {m.id for m in claim_outbound(first, utcnow(), 12)}
        first.commit()
        b = {m.id for m in claim_outbound(second, utcnow(), 12)}
        second.commit()
    assert len(a) == 12 and len(b) == 8
    assert not a & b


async def test_retry_after_is_honoured_then_the_message_is_delivered_once(engine, settings):
    person, identity = make_enrolled(engine)
    _queue(engine, person, identity)
    channel = ScriptedChannel()
    channel.fail_next(transient(retry_after=30))
    dispatcher = Dispatcher(engine, {"simulator": channel})

    assert (await dispatcher.run_once()).retried == 1
    [message] = _outbound(engine)
    assert message.status == MessageStatus.queued
    wait = message.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)

    assert (await dispatcher.run_once()).claimed == 0  # not before the pause ends
    dispatcher.clock = lambda: utcnow() + timedelta(seconds=31)
    assert (await dispatcher.run_once()).sent == 1
    assert len(channel.sent) == 1


async def test_transient_errors_give_up_after_max_attempts(engine, settings):
    person, identity = make_enrolled(engine)
    _queue(engine, person, identity)
    channel = ScriptedChannel()
    channel.fail_next(*(transient(retry_after=0) for _ in range(3)))
    dispatcher = Dispatcher(engine, {"simulator": channel}, max_attempts=3)
    for _ in range(3):
        await dispatcher.run_once()

    [message] = _outbound(engine)
    assert message.status == MessageStatus.failed and message.attempts == 3
    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
    assert escalation.reason == "unreachable" and escalation.severity == "low"


async def test_blocked_goes_to_the_other_channel_when_there_is_one(engine, settings):
    person, telegram = make_enrolled(engine, channel="telegram", address="555")
    with Session(engine, expire_on_commit=False) as session:
        sms = ChannelIdentity(
            person_id=person.id,
            channel="sms",
            address="+77011234567",
            last_seen_at=utcnow() - timedelta(days=1),
        )
        session.add(sms)
        session.commit()
    _queue(engine, person, telegram, body="reminder")
    tg, sms_channel = ScriptedChannel("telegram"), ScriptedChannel("sms")
    tg.fail_next(blocked())
    dispatcher = Dispatcher(engine, {"telegram": tg, "sms": sms_channel})

    summary = await dispatcher.run_once()
    assert summary.failed == 1 and summary.rerouted == 1
    await dispatcher.run_once()

    assert [m.text for m in sms_channel.sent] == ["reminder"]
    with Session(engine) as session:
        assert session.get(ChannelIdentity, telegram.id).blocked is True
        assert session.exec(select(Escalation)).all() == []


async def test_blocked_with_no_other_channel_opens_one_unreachable_escalation(engine, settings):
    person, telegram = make_enrolled(engine, channel="telegram", address="556")
    _queue(engine, person, telegram, body="one")
    _queue(engine, person, telegram, body="two")
    tg = ScriptedChannel("telegram")
    tg.fail_next(blocked(), blocked())

    await Dispatcher(engine, {"telegram": tg}).run_once()

    with Session(engine) as session:
        escalations = session.exec(select(Escalation)).all()
    assert [(e.reason, e.status) for e in escalations] == [("unreachable", "open")]


async def test_messages_to_one_person_keep_their_order(engine, settings):
    person, identity = make_enrolled(engine)
    for n in range(5):
        _queue(engine, person, identity, body=f"m{n}")
    channel = ScriptedChannel()
    await Dispatcher(engine, {"simulator": channel}).run_once()
    assert [m.text for m in channel.sent] == [f"m{n}" for n in range(5)]


async def test_each_channel_has_its_own_lane_and_unknown_channels_still_time_out(engine):
    person, sms = make_enrolled(engine, channel="sms", address="+77011234567")
    _, tg = make_enrolled(engine, channel="telegram", address="777")
    _, fax = make_enrolled(engine, channel="fax", address="1")
    for identity in (sms, tg, fax):
        _queue(engine, person, identity, body=identity.channel)
    sms_channel, tg_channel = ScriptedChannel("sms"), ScriptedChannel("telegram")
    lanes = DispatcherLanes(engine, {"sms": sms_channel, "telegram": tg_channel})

    assert [(d.lane.channels, d.lane.exclude) for d in lanes.dispatchers] == [
        (("sms",), False),
        (("telegram",), False),
        (("sms", "telegram"), True),
    ]
    summary = await lanes.run_once()

    assert summary.sent == 2 and summary.retried == 1
    assert [m.text for m in sms_channel.sent] == ["sms"]
    assert [m.text for m in tg_channel.sent] == ["telegram"]
    with Session(engine) as session:
        fax_message = session.exec(select(Message).where(Message.channel == "fax")).one()
    assert fax_message.status == MessageStatus.queued
    assert fax_message.error == "channel not configured"


async def test_a_slow_lane_does_not_hold_back_another(engine):
    person, sms = make_enrolled(engine, channel="sms", address="+77011234568")
    _, tg = make_enrolled(engine, channel="telegram", address="778")
    _queue(engine, person, sms, body="slow")
    _queue(engine, person, tg, body="fast")
    release = asyncio.Event()

    class SlowSms(ScriptedChannel):
        async def send(self, message):  # a paced channel, held until released
            await release.wait()
            return await super().send(message)

    tg_channel = ScriptedChannel("telegram")
    lanes = DispatcherLanes(engine, {"sms": SlowSms("sms"), "telegram": tg_channel})
    slow_pass = asyncio.create_task(lanes.dispatchers[0].run_once())
    await lanes.dispatchers[1].run_once()

    assert [m.text for m in tg_channel.sent] == ["fast"]  # while SMS is still sending
    assert not slow_pass.done()
    release.set()
    assert (await slow_pass).sent == 1


class _HeldChannel(ScriptedChannel):
    """A provider that takes its time: the send waits until the test lets it finish."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message):  # type: ignore[no-untyped-def]
        self.in_flight.set()
        await self.release.wait()
        return await super().send(message)


async def test_a_row_changed_while_it_was_being_sent_keeps_the_change(engine):
    # An erasure (or a closed case) fails queued rows; a send already out must not write
    # its provider id or a retry back over that.
    person, identity = make_enrolled(engine)
    message_id = _queue(engine, person, identity, body="private words")
    channel = _HeldChannel()
    run = asyncio.create_task(Dispatcher(engine, {"simulator": channel}).run_once())
    await asyncio.wait_for(channel.in_flight.wait(), timeout=5)
    with Session(engine) as session:
        row = session.get(Message, message_id)
        row.status, row.body, row.error = MessageStatus.failed, "", "erased"
        session.add(row)
        session.commit()
    channel.release.set()
    await asyncio.wait_for(run, timeout=5)
    with Session(engine) as session:
        row = session.get(Message, message_id)
    assert (row.status, row.body, row.provider_message_id) == (MessageStatus.failed, "", None)
