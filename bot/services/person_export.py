"""Everything held on one person, as one JSON-ready document (the right of access)."""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, col, select

from bot.core.clock import as_utc
from bot.models import (
    Appointment,
    CheckIn,
    ConsentRecord,
    ConversationState,
    Escalation,
    Invite,
    Message,
    Note,
    Person,
    Referral,
)
from bot.services.erasure import identities_of, messages_of

FORMAT_VERSION = 1
# An unused invitation code is a key to the person's record, not data about them.
_INVITE_FIELDS = {"id", "channel", "created_at", "expires_at", "used_at"}
# The outbox's bookkeeping says nothing about the person.
_MESSAGE_SKIP = {"claimed_at", "next_attempt_at", "attempts"}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()  # type: ignore[union-attr]
    if isinstance(value, StrEnum):
        return value.value
    return value  # str, int, bool, None, or JSON already


def _row(
    row: SQLModel, *, include: Set[str] | None = None, exclude: Set[str] = frozenset()
) -> dict:
    """A row's stored columns as JSON values; times in UTC with their offset (SQLite hands
    them back naive)."""
    # The mapped columns: a table may hold others that are no one's data (message's
    # insert sentinel, bot/models/message.py).
    names = [attribute.key for attribute in inspect(type(row)).column_attrs]
    return {
        name: _value(getattr(row, name))
        for name in names
        if (include is None or name in include) and name not in exclude
    }


def _rows(rows: Any, *, include: Set[str] | None = None, exclude: Set[str] = frozenset()) -> list:
    return [_row(row, include=include, exclude=exclude) for row in rows]


def _by_person(session: Session, model: type[SQLModel], person_id: int) -> Any:
    return session.exec(
        select(model)
        .where(model.person_id == person_id)  # type: ignore[attr-defined]
        .order_by(col(model.id))  # type: ignore[attr-defined]
    ).all()


def export_person(session: Session, person: Person, *, now: datetime) -> dict[str, Any]:
    assert person.id is not None
    person_id = person.id
    identities = identities_of(session, person_id)
    messages = session.exec(
        select(Message)
        .where(
            messages_of(person_id, identities),
            # Alerts to staff are the staff member's mail, not the person's messages.
            col(Message.recipient_user_id).is_(None),
        )
        .order_by(col(Message.id))
    ).all()
    state = session.get(ConversationState, person_id)
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "person": _row(person),
        "channel_identities": _rows(identities),
        "consents": _rows(_by_person(session, ConsentRecord, person_id)),
        "messages": _rows(messages, exclude=_MESSAGE_SKIP),
        "checkins": _rows(_by_person(session, CheckIn, person_id)),
        "escalations": _rows(_by_person(session, Escalation, person_id)),
        "referrals": _rows(_by_person(session, Referral, person_id)),
        "appointments": _rows(_by_person(session, Appointment, person_id)),
        "notes": _rows(_by_person(session, Note, person_id)),
        "invites": _rows(_by_person(session, Invite, person_id), include=_INVITE_FIELDS),
        "conversation_state": _row(state) if state is not None else None,
    }
