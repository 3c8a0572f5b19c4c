"""A check-in or reminder the bot starts waits while the person is answering another
question, then goes out once that question is answered or left for 30 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Appointment, CheckIn, ConversationState, Message
from bot.models.enums import CheckInStatus, Direction
from bot.scheduling.appointments import send_appointment_reminders
from bot.scheduling.checkins import send_due_checkins
from tests.factories import make_enrolled

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # noon in Almaty


def _open_question(engine: Engine, person_id: int, flow: str, step: str, at: datetime) -> None:
    with session_scope(engine) as session:
        session.add(
            ConversationState(person_id=person_id, flow=flow, step=step, data={}, updated_at=at)
        )


def _sent(engine: Engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Message).where(
                Message.person_id == person_id, Message.direction == Direction.outbound
            )
        ).all()
        return [m.kind for m in rows]


def test_a_reminder_waits_for_the_check_in_being_answered(
    engine: Engine, settings: Settings
) -> None:
    person, _ = make_enrolled(engine, language="ru")
    _open_question(engine, person.id, "checkin", "mood", NOW - timedelta(minutes=5))
    with session_scope(engine) as session:
        appointment = Appointment(
            person_id=person.id, starts_at=NOW + timedelta(hours=2), kind="meeting", remind_at=NOW
        )
        session.add(appointment)
        session.flush()
        appointment_id = appointment.id

    send_appointment_reminders(engine, settings, NOW)
    assert _sent(engine, person.id) == []
    with Session(engine) as session:
        held = session.get(Appointment, appointment_id)
        assert held is not None and held.remind_at is not None
        assert held.remind_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=25)

    send_appointment_reminders(engine, settings, NOW + timedelta(minutes=25))
    assert _sent(engine, person.id) == ["reminder"]


def test_a_check_in_waits_for_another_question_but_replaces_an_old_check_in(
    engine: Engine, settings: Settings
) -> None:
    waiting, _ = make_enrolled(engine, language="ru")
    replacing, _ = make_enrolled(engine, language="ru")
    _open_question(engine, waiting.id, "appointment", "confirm", NOW - timedelta(minutes=1))
    _open_question(engine, replacing.id, "checkin", "mood", NOW - timedelta(minutes=1))
    with session_scope(engine) as session:
        for person in (waiting, replacing):
            session.add(CheckIn(person_id=person.id, due_at=NOW, status=CheckInStatus.scheduled))

    send_due_checkins(engine, settings, NOW)

    assert _sent(engine, waiting.id) == []
    assert _sent(engine, replacing.id) == ["checkin"]
    with Session(engine) as session:
        held = session.exec(select(CheckIn).where(CheckIn.person_id == waiting.id)).one()
        assert held.status == CheckInStatus.scheduled
        assert held.due_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=29)


def test_a_question_left_for_half_an_hour_holds_nothing(engine: Engine, settings: Settings) -> None:
    person, _ = make_enrolled(engine, language="ru")
    _open_question(engine, person.id, "appointment", "confirm", NOW - timedelta(minutes=31))
    with session_scope(engine) as session:
        session.add(CheckIn(person_id=person.id, due_at=NOW, status=CheckInStatus.scheduled))
    send_due_checkins(engine, settings, NOW)
    assert _sent(engine, person.id) == ["checkin"]
