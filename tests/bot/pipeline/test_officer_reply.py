"""An answer to the officer's message, end to end through the inbound pipeline."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.models import Escalation, Message, Person
from bot.models.enums import Direction
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.factories import make_enrolled


def _say(engine, settings, address: str, text: str, pid: str) -> None:
    process_inbound(
        engine,
        InboundMessage(channel="simulator", address=address, provider_message_id=pid, text=text),
        settings=settings,
    )


def _last_reply(engine, person_id: int) -> Message:
    with Session(engine) as session:
        query = (
            select(Message)
            .where(Message.person_id == person_id, Message.direction == Direction.outbound)
            .order_by(col(Message.id).desc())
        )
        message = session.exec(query).first()
        assert message is not None
        return message


def test_the_next_free_text_goes_to_the_officer_once(engine, settings):
    person, identity = make_enrolled(
        engine, language="en", officer_reply_until=utcnow() + timedelta(hours=10)
    )

    _say(engine, settings, identity.address, "Friday works for me", "p1")

    assert _last_reply(engine, person.id).body == (
        "Thank you. I passed your message on to your officer."
    )
    with Session(engine) as session:
        escalations = session.exec(
            select(Escalation).where(Escalation.person_id == person.id)
        ).all()
        assert [(e.reason, e.severity) for e in escalations] == [("message_for_officer", "medium")]
        stored = session.get(Person, person.id)
        assert stored is not None and stored.officer_reply_until is None
        inbound = session.exec(select(Message).where(Message.direction == Direction.inbound)).all()
        assert [m.body for m in inbound] == ["Friday works for me"]

    # The window closed: the next free text is the bot's business again.
    _say(engine, settings, identity.address, "and another thing", "p2")
    with Session(engine) as session:
        count = len(session.exec(select(Escalation).where(Escalation.person_id == person.id)).all())
    assert count == 1
    assert "passed your message on" not in _last_reply(engine, person.id).body


def test_an_expired_window_routes_nothing(engine, settings):
    person, identity = make_enrolled(
        engine, language="en", officer_reply_until=utcnow() - timedelta(minutes=1)
    )
    _say(engine, settings, identity.address, "Friday works for me", "p1")
    with Session(engine) as session:
        assert not session.exec(select(Escalation).where(Escalation.person_id == person.id)).all()
