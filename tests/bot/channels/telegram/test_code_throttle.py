"""Wrong invitation codes: five per chat per hour are answered; after that the chat's
codes are neither looked up nor answered until the hour has passed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from bot.core.db import session_scope
from bot.models import ChannelIdentity, Invite, Message
from bot.models.enums import Direction
from bot.pipeline.inbound import BAD_CODE_KIND, MAX_BAD_CODES_PER_HOUR, THROTTLED_CODE_KIND
from flows.i18n import translate
from tests.bot.channels.telegram.updates import post_update, update
from tests.factories import make_invite, make_person

GUESSER = 7100
OTHER = 7200


def _start(client, chat: int, code: str) -> None:
    body = update("start_payload", chat_id=chat, text=f"/start {code}", language="ru")
    assert post_update(client, body).status_code == 200


def _conversation(engine, chat: int) -> list[Message]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message).where(Message.address == str(chat)).order_by(col(Message.id))
            ).all()
        )


def test_a_chat_guessing_codes_is_stopped_and_others_are_not(tg_client, engine):
    person = make_person(engine, language="ru")
    invite = make_invite(engine, person)

    for n in range(MAX_BAD_CODES_PER_HOUR):
        _start(tg_client, GUESSER, f"wrong-code-{n:03d}")
    replies = [m for m in _conversation(engine, GUESSER) if m.direction == Direction.outbound]
    assert [m.body for m in replies] == [translate("enroll.code_not_valid", "ru")] * 5

    _start(tg_client, GUESSER, invite.code)  # even the right code: not looked up now

    last = _conversation(engine, GUESSER)[-1]
    assert (last.direction, last.kind) == (Direction.inbound, THROTTLED_CODE_KIND)
    with Session(engine) as session:
        assert session.get(Invite, invite.id).used_at is None
        assert session.exec(select(ChannelIdentity)).all() == []

    # Plain words still get the ordinary answer; only codes are refused.
    assert post_update(tg_client, update("text", chat_id=GUESSER)).status_code == 200
    assert _conversation(engine, GUESSER)[-1].body == translate("enroll.ask_code", "ru")

    _start(tg_client, OTHER, invite.code)  # another chat is not affected
    with Session(engine) as session:
        identity = session.exec(select(ChannelIdentity)).one()
    assert (identity.address, identity.person_id) == (str(OTHER), person.id)


def test_the_hour_passes_and_codes_are_looked_up_again(tg_client, engine):
    person = make_person(engine, language="en")
    invite = make_invite(engine, person)
    for n in range(MAX_BAD_CODES_PER_HOUR):
        _start(tg_client, GUESSER, f"wrong-code-{n:03d}")
    # Move the wrong attempts just over an hour into the past.
    with session_scope(engine) as session:
        for message in session.exec(select(Message).where(Message.kind == BAD_CODE_KIND)):
            message.created_at = message.created_at - timedelta(minutes=61)
            session.add(message)

    _start(tg_client, GUESSER, invite.code)

    with Session(engine) as session:
        assert session.get(Invite, invite.id).used_at is not None
        identity = session.exec(select(ChannelIdentity)).one()
    assert identity.address == str(GUESSER)


def test_four_wrong_codes_do_not_block_the_right_one(tg_client, engine):
    person = make_person(engine, language="kk")
    invite = make_invite(engine, person)
    for n in range(MAX_BAD_CODES_PER_HOUR - 1):
        _start(tg_client, GUESSER, f"wrong-code-{n:03d}")

    _start(tg_client, GUESSER, invite.code)

    with Session(engine) as session:
        assert session.get(Invite, invite.id).used_at is not None
        kinds = [m.kind for m in session.exec(select(Message).where(Message.direction == "in"))]
    assert kinds.count(BAD_CODE_KIND) == MAX_BAD_CODES_PER_HOUR - 1
