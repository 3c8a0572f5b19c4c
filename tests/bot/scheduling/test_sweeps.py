"""Check-in sweeps over the due-time columns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.models import CheckIn, ConversationState, Escalation, Message, Person
from bot.models.enums import CheckInStatus, Direction, MessageStatus
from bot.scheduling.checkins import (
    mark_missed_checkins,
    schedule_cadence_checkins,
    send_due_checkins,
)
from tests.factories import make_enrolled, make_person

# 12:00 in Almaty (UTC+5): outside quiet hours whatever the machine's clock says.
NOON = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)


def _checkins(engine) -> list[CheckIn]:
    with Session(engine) as session:
        return list(session.exec(select(CheckIn).order_by(col(CheckIn.id))).all())


def _add_checkin(engine, person, **fields) -> CheckIn:
    with Session(engine, expire_on_commit=False) as session:
        checkin = CheckIn(person_id=person.id, **fields)
        session.add(checkin)
        session.commit()
        return checkin


def test_cadence_creates_a_checkin_and_moves_the_next_one_by_the_level_interval(engine, settings):
    now = NOON
    person, _ = make_enrolled(engine, supervision_level="high", next_checkin_at=now)
    later, _ = make_enrolled(engine, next_checkin_at=now + timedelta(hours=1))
    no_consent = make_person(
        engine, status="active", consent_given=False, next_checkin_at=now - timedelta(hours=1)
    )

    summary = schedule_cadence_checkins(
        engine, settings.model_copy(update={"sweep_batch_size": 1}), now
    )

    assert (summary.processed, summary.skipped) == (1, 1)
    assert [c.person_id for c in _checkins(engine)] == [person.id]
    with Session(engine) as session:
        assert session.get(Person, person.id).next_checkin_at == now + timedelta(hours=48)
        assert session.get(Person, later.id).next_checkin_at == now + timedelta(hours=1)
        moved = session.get(Person, no_consent.id).next_checkin_at
        assert moved == now + timedelta(hours=84)


def test_a_due_checkin_queues_the_mood_question_with_five_choices(engine, settings):
    now = NOON
    person, identity = make_enrolled(engine, language="en")
    checkin = _add_checkin(engine, person, due_at=now - timedelta(seconds=1))
    future = _add_checkin(engine, person, due_at=now + timedelta(hours=1))

    summary = send_due_checkins(engine, settings, now)

    assert summary.processed == 1
    with Session(engine) as session:
        sent = session.get(CheckIn, checkin.id)
        assert sent.status == CheckInStatus.sent
        assert sent.reply_deadline == now + WINDOW
        assert sent.nudge_at == now + WINDOW / 2
        assert session.get(CheckIn, future.id).status == CheckInStatus.scheduled
        [message] = session.exec(select(Message)).all()
        assert message.direction == Direction.outbound and message.status == MessageStatus.queued
        assert message.kind == "checkin" and message.address == identity.address
        assert [c["label"] for c in message.choices] == ["1", "2", "3", "4", "5"]
        state = session.get(ConversationState, person.id)
        assert (state.flow, state.step) == ("checkin", "mood")


def test_a_checkin_due_in_quiet_hours_waits_for_the_persons_morning(engine, settings):
    quiet = settings.model_copy(update={"quiet_hours_start": 21, "quiet_hours_end": 9})
    almaty, _ = make_enrolled(engine, timezone="Asia/Almaty")
    tunis, _ = make_enrolled(engine, timezone="Africa/Tunis")
    late = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 22:00 in Almaty, 18:00 in Tunis
    for person in (almaty, tunis):
        _add_checkin(engine, person, due_at=late)

    summary = send_due_checkins(engine, quiet, late)

    assert (summary.processed, summary.skipped) == (1, 1)
    by_person = {c.person_id: c for c in _checkins(engine)}
    assert by_person[tunis.id].status == CheckInStatus.sent
    waiting = by_person[almaty.id]
    assert waiting.status == CheckInStatus.scheduled
    assert waiting.due_at == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 09:00 Almaty
    with Session(engine) as session:
        assert [m.person_id for m in session.exec(select(Message)).all()] == [tunis.id]


def test_a_checkin_for_someone_unreachable_is_cancelled_and_escalated_once(engine, settings):
    now = NOON
    person = make_person(engine, status="active", consent_given=True)
    _add_checkin(engine, person, due_at=now)
    _add_checkin(engine, person, due_at=now)

    send_due_checkins(engine, settings, now)

    assert [c.status for c in _checkins(engine)] == [CheckInStatus.cancelled] * 2
    with Session(engine) as session:
        assert [e.reason for e in session.exec(select(Escalation)).all()] == ["unreachable"]


def test_missed_checkins_escalate_at_the_threshold_and_close_the_question(engine, settings):
    now = NOON
    person, _ = make_enrolled(engine)
    first = _add_checkin(engine, person, due_at=now - timedelta(days=3))
    send_due_checkins(engine, settings, now - timedelta(days=3))

    assert mark_missed_checkins(engine, settings, now).processed == 1
    with Session(engine) as session:
        assert session.get(CheckIn, first.id).status == CheckInStatus.missed
        assert session.get(ConversationState, person.id).flow is None
        assert session.exec(select(Escalation)).all() == []

    _add_checkin(engine, person, due_at=now - timedelta(days=2))
    send_due_checkins(engine, settings, now - timedelta(days=2))
    mark_missed_checkins(engine, settings, now)

    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
        assert (escalation.reason, escalation.severity) == ("missed_checkins", "medium")
        assert session.get(Person, person.id).missed_checkins_in_row == 2


def test_a_checkin_inside_its_window_is_not_missed(engine, settings):
    now = NOON
    person, _ = make_enrolled(engine)
    _add_checkin(engine, person, due_at=now)
    send_due_checkins(engine, settings, now)

    just_before = now + WINDOW - timedelta(seconds=1)
    assert mark_missed_checkins(engine, settings, just_before).processed == 0


def test_a_newer_checkin_cancels_one_still_waiting_even_when_both_are_due_in_one_batch(
    engine, settings
):
    waiting_since_yesterday, _ = make_enrolled(engine)
    old = _add_checkin(
        engine, waiting_since_yesterday, due_at=NOON - timedelta(days=1), status="sent"
    )
    new = _add_checkin(engine, waiting_since_yesterday, due_at=NOON)
    twice_due, _ = make_enrolled(engine)
    first = _add_checkin(engine, twice_due, due_at=NOON - timedelta(minutes=2))
    second = _add_checkin(engine, twice_due, due_at=NOON - timedelta(minutes=1))

    send_due_checkins(engine, settings, NOON)

    with Session(engine) as session:
        status = {c.id: c.status for c in session.exec(select(CheckIn)).all()}
    assert status == {
        old.id: CheckInStatus.cancelled,
        new.id: CheckInStatus.sent,
        first.id: CheckInStatus.cancelled,
        second.id: CheckInStatus.sent,
    }


def _reads_of_a_due_sweep(engine, settings, people: int) -> int:
    from tests.panel.test_query_counts import counted

    for _ in range(people):
        person, _ = make_enrolled(engine)
        _add_checkin(engine, person, due_at=NOON)
    with counted() as statements:
        summary = send_due_checkins(engine, settings, NOON)
    assert summary.processed == people
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements)


def test_a_due_sweep_reads_per_batch_not_per_person(engine, settings):
    few = _reads_of_a_due_sweep(engine, settings, 3)
    many = _reads_of_a_due_sweep(engine, settings, 30)
    assert many == few
