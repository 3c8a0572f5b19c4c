"""The inbound pipeline: dedupe, persist, resolve, flow, effects and replies in one go."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.models import ChannelIdentity, ConversationState, Invite, Message
from bot.models.enums import Direction, MessageStatus
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.factories import make_enrolled, make_invite, make_person


def _messages(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).order_by(col(Message.id))).all())


def _inbound(text: str | None, pid: str = "p1", address: str = "phone-1", **kw) -> InboundMessage:
    return InboundMessage(
        channel="simulator", address=address, provider_message_id=pid, text=text, **kw
    )


def test_unknown_sender_gets_the_enrollment_prompt_and_nothing_else_is_stored(engine, settings):
    outcome = process_inbound(engine, _inbound("hello"), settings=settings)

    assert not outcome.duplicate and outcome.replies == 1
    rows = _messages(engine)
    assert [(m.direction, m.status) for m in rows] == [
        (Direction.inbound, MessageStatus.received),
        (Direction.outbound, MessageStatus.queued),
    ]
    assert rows[1].address == "phone-1" and rows[1].person_id is None
    with Session(engine) as session:
        assert session.exec(select(ChannelIdentity)).all() == []
        assert session.exec(select(ConversationState)).all() == []


def test_the_same_provider_id_twice_stores_one_message_and_one_reply(engine, settings):
    first = process_inbound(engine, _inbound("hello", pid="dup"), settings=settings)
    second = process_inbound(engine, _inbound("hello", pid="dup"), settings=settings)

    assert first.duplicate is False and second.duplicate is True
    rows = _messages(engine)
    assert len([m for m in rows if m.direction == Direction.inbound]) == 1
    assert len([m for m in rows if m.direction == Direction.outbound]) == 1


def test_concurrent_duplicates_store_one_message_and_one_reply(engine, settings):
    outcomes = []

    def deliver() -> None:
        outcomes.append(process_inbound(engine, _inbound("hello", pid="race"), settings=settings))

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o.duplicate for o in outcomes) == [False, True, True]
    rows = _messages(engine)
    assert len(rows) == 2


def test_a_valid_code_links_the_sender_and_uses_up_the_invite(engine, settings):
    person = make_person(engine, language="kk")
    invite = make_invite(engine, person)

    outcome = process_inbound(engine, _inbound(f"/start {invite.code}"), settings=settings)

    assert outcome.replies >= 1
    with Session(engine) as session:
        identity = session.exec(select(ChannelIdentity)).one()
        assert identity.person_id == person.id and identity.address == "phone-1"
        assert session.get(Invite, invite.id).used_at is not None
        state = session.get(ConversationState, person.id)
        assert state is not None and state.flow == "enrollment"
    inbound, *replies = _messages(engine)
    assert inbound.person_id == person.id
    assert all(r.person_id == person.id and r.language == "kk" for r in replies)


def test_a_used_code_does_not_link_anyone(engine, settings):
    person = make_person(engine)
    invite = make_invite(engine, person, used=True)

    process_inbound(engine, _inbound(invite.code), settings=settings)

    with Session(engine) as session:
        assert session.exec(select(ChannelIdentity)).all() == []
    assert _messages(engine)[1].person_id is None


def test_a_known_sender_is_resolved_and_their_state_advances(engine, settings):
    person, identity = make_enrolled(engine, address="phone-7")

    process_inbound(engine, _inbound("help", address="phone-7"), settings=settings)

    inbound, reply = _messages(engine)[:2]
    assert inbound.person_id == person.id and inbound.identity_id == identity.id
    assert reply.direction == Direction.outbound and reply.identity_id == identity.id
    assert reply.body


def test_a_button_press_is_stored_with_the_label_the_person_saw(engine, settings):
    person = make_person(engine, language="ru")
    invite = make_invite(engine, person)
    process_inbound(engine, _inbound(invite.code, pid="p1"), settings=settings)

    process_inbound(engine, _inbound(None, pid="p2", choice="l_kk"), settings=settings)

    pressed = next(m for m in _messages(engine) if m.provider_message_id == "p2")
    assert pressed.body == "[Қазақша]" and pressed.choice_id == "l_kk"


def test_two_phones_racing_for_one_code_link_exactly_one(engine, settings):
    person = make_person(engine, language="en")
    invite = make_invite(engine, person)
    barrier = threading.Barrier(2)

    def redeem(n: int) -> None:
        barrier.wait()
        process_inbound(
            engine, _inbound(invite.code, pid=f"race-{n}", address=f"phone-{n}"), settings=settings
        )

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with Session(engine) as session:
        [identity] = session.exec(select(ChannelIdentity)).all()
    loser = "phone-1" if identity.address == "phone-0" else "phone-0"
    replies = [m for m in _messages(engine) if m.direction == Direction.outbound]
    [loser_reply] = [m for m in replies if m.address == loser]
    assert loser_reply.person_id is None and loser_reply.choices is None
    assert all(m.person_id == person.id for m in replies if m.address == identity.address)


def test_a_photo_is_stored_as_a_photo_and_answered_with_text_only(engine, settings):
    person, _ = make_enrolled(engine, address="phone-9", language="en")

    process_inbound(
        engine, _inbound(None, pid="ph", address="phone-9", kind="photo"), settings=settings
    )

    inbound, reply = _messages(engine)
    assert inbound.kind == "photo" and inbound.person_id == person.id
    assert reply.body.startswith("Sorry, I can only read text")


def test_inbound_text_and_button_data_are_made_storable():
    from bot.pipeline.inbound import InboundMessage

    inbound = InboundMessage(
        channel="telegram",
        address="1\x00",
        provider_message_id="p",
        text="a\x00b\ud800c",
        choice="\udfffx",
    )
    assert (inbound.address, inbound.text, inbound.choice) == ("1", "ab\ufffdc", "\ufffdx")
    inbound.text.encode("utf-8")  # PostgreSQL and the logs can take it
