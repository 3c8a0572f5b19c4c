"""A shared savepoint's messages: one INSERT at its end, rows as the session writes them,
and a message whose id is needed stored at once."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.intake.events import telegram_event
from bot.intake.processor import process_pending
from bot.intake.store import NewEvent, store_events
from bot.models import ChannelIdentity, Escalation, Message
from bot.models.enums import Direction, MessageStatus
from bot.models.message import new_message
from bot.pipeline import staged_messages
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.bot.channels.telegram.updates import update
from tests.factories import make_enrolled, make_invite, make_person
from tests.panel.test_query_counts import counted

CHAT = 9_100
# What a row says, without what differs between two senders (ids, address, provider id).
ROW = ("direction", "channel", "kind", "body", "choices", "choice_id", "language", "status",
       "attempts", "next_attempt_at", "created_at", "sent_at", "error")  # fmt: skip


def _telegram(body: dict) -> NewEvent:
    from telegram import Update

    event = telegram_event(body, Update.de_json(body, None))
    assert event is not None
    return event


def _rows(engine: Engine, address: str) -> list[Message]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message).where(Message.address == address).order_by(col(Message.id))
            ).all()
        )


def _said(message: Message) -> tuple[object, ...]:
    return tuple(getattr(message, name) for name in ROW)


def test_a_chunks_messages_go_in_one_insert_and_read_back_as_the_session_writes_them(
    engine: Engine, settings: Settings
) -> None:
    chats = [CHAT + n for n in range(5)]
    for chat in [*chats, CHAT + 99]:
        make_enrolled(engine, channel="telegram", address=str(chat), language="ru")
    store_events(
        engine,
        [_telegram(update("text", chat_id=c, text="мне нужна работа")) for c in chats],
        utcnow(),
    )

    with counted() as statements:
        assert process_pending(engine, settings, limit=100).events == 5

    assert sum(s.startswith("INSERT INTO message") for s in statements) == 1
    # The same words through the session's own path (a message alone, added and flushed),
    # at the same time: every column reads back the same.
    first = _rows(engine, str(chats[0]))
    at = first[0].created_at
    process_inbound(
        engine,
        InboundMessage("telegram", str(CHAT + 99), "m-alone", text="мне нужна работа"),
        settings=settings,
        now=at,
    )
    alone = _rows(engine, str(CHAT + 99))
    assert len(first) >= 2 and [_said(m) for m in alone] == [_said(m) for m in first]
    for chat in chats:
        rows = _rows(engine, str(chat))
        assert [m.direction for m in rows] == [Direction.inbound] + [Direction.outbound] * (
            len(rows) - 1
        )
        assert all(m.person_id is not None and m.identity_id is not None for m in rows)
        assert rows[1].choices and rows[1].status == MessageStatus.queued


def test_an_escalation_in_a_chunk_points_at_the_message_that_caused_it(
    engine: Engine, settings: Settings
) -> None:
    chats = [CHAT + 10 + n for n in range(3)]
    for chat in chats:
        make_enrolled(engine, channel="telegram", address=str(chat), language="ru")
    texts = ["привет", "не хочу жить", "мне нужна работа"]
    store_events(
        engine,
        [_telegram(update("text", chat_id=c, text=t)) for c, t in zip(chats, texts, strict=True)],
        utcnow(),
    )

    with counted() as statements:
        assert process_pending(engine, settings, limit=100).failed == 0

    # One savepoint: the chunk went through as one, not redone event by event.
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 1

    with Session(engine) as session:
        (escalation,) = session.exec(select(Escalation)).all()
        cause = session.get(Message, escalation.message_id)
    assert escalation.reason == "crisis"
    assert cause is not None and cause.body == "не хочу жить"
    assert cause.address == str(chats[1]) and cause.direction == Direction.inbound
    for chat, text in zip(chats, texts, strict=True):
        rows = _rows(engine, str(chat))
        assert rows[0].body == text and len(rows) >= 2  # each stored once, each answered


def test_a_stranger_enrolling_in_a_chunk_has_their_message_put_on_their_record(
    engine: Engine, settings: Settings
) -> None:
    person = make_person(engine)
    invite = make_invite(engine, person)
    make_enrolled(engine, channel="telegram", address=str(CHAT + 20), language="ru")
    store_events(
        engine,
        [
            _telegram(update("text", chat_id=CHAT + 20, text="привет")),
            _telegram(update("text", chat_id=CHAT + 21, text=f"/start {invite.code}")),
        ],
        utcnow(),
    )

    with counted() as statements:
        assert process_pending(engine, settings, limit=100).events == 2

    assert sum(s.startswith("SAVEPOINT") for s in statements) == 1

    with Session(engine) as session:
        identity = session.exec(
            select(ChannelIdentity).where(ChannelIdentity.address == str(CHAT + 21))
        ).one()
    rows = _rows(engine, str(CHAT + 21))
    assert identity.person_id == person.id
    assert rows[0].direction == Direction.inbound
    assert {m.person_id for m in rows} == {person.id}
    assert {m.identity_id for m in rows} == {identity.id}


def _message(body: str) -> Message:
    return new_message(
        direction=Direction.outbound,
        channel="simulator",
        address="staged-1",
        body=body,
        status=MessageStatus.queued,
        created_at=utcnow(),
    )


def test_a_staged_message_whose_id_is_needed_is_stored_at_once_and_once(engine: Engine) -> None:
    with Session(engine) as session:
        staged_messages.stage_open(session)
        needed, other = _message("needed"), _message("other")
        staged_messages.add(session, needed)
        staged_messages.add(session, other)
        assert needed.id is None and session.exec(select(Message)).all() == []

        message_id = staged_messages.written(session, needed)

        assert message_id is not None
        assert staged_messages.is_staged(session, other)
        assert not staged_messages.is_staged(session, needed)
        needed.kind = "changed later"  # a session row now: flushed with the rest
        staged_messages.keep(session, needed)
        assert staged_messages.write_staged(session) == 1
        staged_messages.stage_close(session)
        session.commit()
    rows = _rows(engine, "staged-1")
    assert (rows[0].id, rows[0].body, rows[0].kind) == (message_id, "needed", "changed later")
    assert [m.body for m in rows] == ["needed", "other"]


def test_without_a_stage_a_message_is_an_ordinary_session_row(engine: Engine) -> None:
    with Session(engine) as session:
        message = _message("plain")
        staged_messages.add(session, message)
        assert message in session.new
        assert staged_messages.write_staged(session) == 0
        assert staged_messages.written(session, message) == message.id is not None
        session.commit()
    assert [m.body for m in _rows(engine, "staged-1")] == ["plain"]
