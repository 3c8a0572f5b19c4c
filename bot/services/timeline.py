"""A person's record as one list, newest first: messages, check-ins, escalations, consent,
appointments, referrals and the officers' notes (the timeline is for staff only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from bot.core.clock import as_utc
from bot.models import (
    Appointment,
    CheckIn,
    ConsentRecord,
    Escalation,
    Message,
    Note,
    Referral,
    ReferralEvent,
)

Kind = Literal[
    "message",
    "checkin",
    "escalation",
    "consent",
    "appointment",
    "referral",
    "referral_event",
    "note",
]
Row = Message | CheckIn | Escalation | ConsentRecord | Appointment | Referral | ReferralEvent | Note

# Which time places each kind on the timeline. A check-in sits where it is (or was) due.
_SOURCES: tuple[tuple[Kind, Any, str], ...] = (
    ("message", Message, "created_at"),
    ("checkin", CheckIn, "due_at"),
    ("escalation", Escalation, "created_at"),
    ("consent", ConsentRecord, "created_at"),
    # An appointment or a referral sits where it was made; its own time is a field.
    ("appointment", Appointment, "created_at"),
    ("referral", Referral, "created_at"),
    # Each move of a referral (sent, accepted, declined...): who, when and why.
    ("referral_event", ReferralEvent, "created_at"),
    ("note", Note, "created_at"),
)


@dataclass(frozen=True)
class TimelineEntry:
    kind: Kind
    at: datetime
    row: Row


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_before: datetime | None  # pass as `before` for the next (older) page


def read_timeline(
    session: Session, person_id: int, *, before: datetime | None = None, limit: int = 100
) -> TimelinePage:
    """Entries strictly older than `before`, newest first, at most `limit` of them.

    Each kind is read with its own indexed query limited to `limit + 1`, which is enough to
    know the merged top `limit` and whether more follow.
    """
    cutoff = as_utc(before)
    entries: list[TimelineEntry] = []
    for kind, model, time_name in _SOURCES:
        column = getattr(model, time_name)
        if model is ReferralEvent:
            # A referral's moves belong to its person through the referral.
            query = (
                select(ReferralEvent)
                .join(Referral, col(Referral.id) == col(ReferralEvent.referral_id))
                .where(Referral.person_id == person_id)
            )
        else:
            query = select(model).where(model.person_id == person_id)
        query = query.order_by(col(column).desc(), col(model.id).desc()).limit(limit + 1)
        if cutoff is not None:
            query = query.where(col(column) < cutoff)
        for row in session.exec(query).all():
            at = as_utc(getattr(row, time_name))
            assert at is not None
            entries.append(TimelineEntry(kind=kind, at=at, row=row))
    entries.sort(key=lambda entry: (entry.at, entry.kind, entry.row.id or 0), reverse=True)
    if len(entries) <= limit:
        return TimelinePage(entries=entries, next_before=None)
    page = entries[:limit]
    # The cursor is a time, so a page must not end inside a group of equal times: the next
    # page asks for "older than", and would skip the rest of the group.
    boundary = entries[limit].at
    if page[-1].at == boundary:
        page = [entry for entry in page if entry.at > boundary] or page
    return TimelinePage(entries=page, next_before=page[-1].at)
