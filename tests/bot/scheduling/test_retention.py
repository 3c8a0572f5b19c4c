"""Retention: message bodies of a closed case are purged `retention_days` after closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.db import session_scope
from bot.models import Message, Person
from bot.models.enums import MessageStatus, PersonStatus
from bot.scheduling.retention import purge_closed_case_bodies
from bot.scheduling.worker import Worker
from tests.factories import make_enrolled

NOW = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _case(engine, *, closed_days_ago: float | None, status: str = PersonStatus.closed) -> Person:
    closed_at = NOW - closed_days_ago * DAY if closed_days_ago is not None else None
    person, identity = make_enrolled(engine, status=status, closed_at=closed_at)
    with session_scope(engine) as session:
        session.add_all(
            [
                Message(
                    direction="in",
                    channel=identity.channel,
                    address=identity.address,
                    person_id=person.id,
                    body=f"words of {person.id}",
                    choice_id="m4",
                    status=MessageStatus.received,
                ),
                Message(
                    direction="out",
                    channel=identity.channel,
                    address=identity.address,
                    person_id=person.id,
                    body=f"question to {person.id}",
                    choices=[{"id": "m1", "label": "1"}],
                    status=MessageStatus.delivered,
                ),
            ]
        )
    return person


def _bodies(engine, person: Person) -> list[tuple[str, object, object]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Message).where(Message.person_id == person.id).order_by(col(Message.id))
        ).all()
        return [(row.body, row.choices, row.choice_id) for row in rows]


def _purged_at(engine, person: Person) -> datetime | None:
    with Session(engine) as session:
        return session.get(Person, person.id).bodies_purged_at


def test_bodies_of_cases_closed_longer_than_the_retention_are_purged(engine, settings):
    settings = settings.model_copy(update={"retention_days": 30, "sweep_batch_size": 2})
    old = [_case(engine, closed_days_ago=31 + i) for i in range(3)]  # more than one batch
    recent = _case(engine, closed_days_ago=29)
    open_case = _case(engine, closed_days_ago=400, status=PersonStatus.active)

    summary = purge_closed_case_bodies(engine, settings, NOW)

    assert summary.processed == 3 and summary.errors == 0
    for person in old:
        assert _bodies(engine, person) == [("", None, None), ("", None, None)]
        assert _purged_at(engine, person) == NOW
    assert _bodies(engine, recent)[0] == (f"words of {recent.id}", None, "m4")
    assert _bodies(engine, open_case)[1][0] == f"question to {open_case.id}"
    assert _purged_at(engine, recent) is None and _purged_at(engine, open_case) is None


def test_the_purge_comes_when_the_clock_passes_the_retention(engine, settings):
    settings = settings.model_copy(update={"retention_days": 365})
    person = _case(engine, closed_days_ago=0)

    assert purge_closed_case_bodies(engine, settings, NOW + 364 * DAY).processed == 0
    assert _bodies(engine, person)[0][0] == f"words of {person.id}"
    assert purge_closed_case_bodies(engine, settings, NOW + 366 * DAY).processed == 1
    assert _bodies(engine, person)[0][0] == ""


def test_the_sweep_is_idempotent_and_a_case_closed_again_is_purged_again(engine, settings):
    settings = settings.model_copy(update={"retention_days": 30})
    person = _case(engine, closed_days_ago=40)
    assert purge_closed_case_bodies(engine, settings, NOW).processed == 1
    assert purge_closed_case_bodies(engine, settings, NOW + DAY).processed == 0
    assert _purged_at(engine, person) == NOW

    # Reopened, written to, closed again: the new words go when the new retention ends.
    with session_scope(engine) as session:
        row = session.get(Person, person.id)
        row.closed_at = NOW + 10 * DAY
        session.add(
            Message(
                direction="in",
                channel="simulator",
                address=f"addr-{person.id}",
                person_id=person.id,
                body="after reopening",
                status=MessageStatus.received,
            )
        )
    assert purge_closed_case_bodies(engine, settings, NOW + 20 * DAY).processed == 0
    assert purge_closed_case_bodies(engine, settings, NOW + 41 * DAY).processed == 1
    assert {body for body, _, _ in _bodies(engine, person)} == {""}


def test_a_message_still_in_the_outbox_keeps_its_text(engine, settings):
    settings = settings.model_copy(update={"retention_days": 30})
    person = _case(engine, closed_days_ago=40)
    with session_scope(engine) as session:
        session.add(
            Message(
                direction="out",
                channel="simulator",
                address=f"addr-{person.id}",
                person_id=person.id,
                body="still queued",
                status=MessageStatus.queued,
            )
        )
    purge_closed_case_bodies(engine, settings, NOW)
    assert [body for body, _, _ in _bodies(engine, person)] == ["", "", "still queued"]


def test_the_worker_runs_the_retention_sweep(engine, settings):
    assert "purge_closed_case_bodies" in Worker(settings, engine, dispatcher=None).sweeps()  # type: ignore[arg-type]
