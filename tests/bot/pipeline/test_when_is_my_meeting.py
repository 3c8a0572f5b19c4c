""" "When is my meeting?" through the pipeline: the context carries the next appointments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.models import Appointment, Message
from bot.models.enums import AppointmentStatus, Direction
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.factories import make_enrolled


def test_the_person_hears_their_next_meeting_in_their_time_zone(engine, settings):
    person, identity = make_enrolled(engine, language="en", timezone="Asia/Almaty")
    day = (utcnow() + timedelta(days=2)).date()
    with Session(engine) as session:
        session.add(
            Appointment(
                person_id=person.id,
                kind="documents",
                place="Office 12",
                starts_at=datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC),
            )
        )
        session.add(
            Appointment(
                person_id=person.id,
                kind="meeting",
                place="Gone",
                status=AppointmentStatus.cancelled,
                starts_at=utcnow() + timedelta(days=1),
            )
        )
        session.commit()

    process_inbound(
        engine,
        InboundMessage(
            channel="simulator",
            address=identity.address,
            provider_message_id="m1",
            text="when is my meeting?",
        ),
        settings=settings,
    )

    with Session(engine) as session:
        reply = session.exec(
            select(Message)
            .where(Message.direction == Direction.outbound)
            .order_by(col(Message.id).desc())
        ).first()
    assert reply is not None
    assert reply.body.startswith("Your next appointments:")
    assert "09:00" in reply.body and "Office 12" in reply.body and "Gone" not in reply.body
