"""The lean constructor makes what the model's own constructor makes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.models import Message
from bot.models.enums import Direction, MessageStatus
from bot.models.lean import lean_constructor

new_message = lean_constructor(Message)


def _values() -> dict:
    now = utcnow()
    return {
        "direction": Direction.outbound,
        "channel": "telegram",
        "address": "7001",
        "kind": "reply",
        "body": "Как вы сегодня?",
        "choices": [{"id": "mood:3", "label": "3"}],
        "language": "ru",
        "status": MessageStatus.queued,
        "next_attempt_at": now + timedelta(seconds=1),
    }


def _fields(row: Message) -> dict:
    return {k: v for k, v in vars(row).items() if k != "_sa_instance_state"}


def test_the_same_values_defaults_and_dump_as_the_constructor():
    values = _values()
    lean, usual = new_message(**values), Message(**values)

    assert lean.__pydantic_fields_set__ == usual.__pydantic_fields_set__ == set(values)
    created = {lean.created_at, usual.created_at}
    assert max(created) - min(created) < timedelta(seconds=5)  # each its own "now"
    lean.created_at = usual.created_at
    assert _fields(lean) == _fields(usual)
    assert lean.model_dump() == usual.model_dump()
    assert lean.attempts == 0 and lean.id is None and lean.sent_at is None


def test_a_default_factory_runs_for_each_row():
    before = utcnow()
    row = new_message(**_values())
    assert before <= row.created_at <= utcnow()
    assert new_message(**_values(), created_at=before).created_at == before


def test_the_row_written_is_the_row_the_constructor_writes(engine):
    with Session(engine) as session:
        values = _values()
        session.add_all([new_message(**values), Message(**values)])
        session.commit()
        lean, usual = session.exec(select(Message).order_by(Message.id)).all()  # type: ignore[arg-type]
        assert lean.id is not None and usual.id == lean.id + 1
        lean_row, usual_row = _fields(lean), _fields(usual)
        for row in (lean_row, usual_row):
            row.pop("id")
            row.pop("created_at")
        assert lean_row == usual_row


def test_a_lean_row_changed_before_and_after_it_is_stored_is_written_as_changed(engine):
    with Session(engine) as session:
        row = new_message(**_values())
        row.kind = "changed before"
        session.add(row)
        session.flush()
        assert row.id is not None and not session.dirty
        row.body = "changed after"
        assert row in session.dirty
        row_id = row.id
        session.commit()
    with Session(engine) as session:
        stored = session.get(Message, row_id)
        assert stored is not None
        assert (stored.kind, stored.body) == ("changed before", "changed after")
        assert stored.language == "ru"


def test_an_unknown_field_is_refused_as_a_typo():
    with pytest.raises(TypeError, match="bodi"):
        new_message(bodi="x")
