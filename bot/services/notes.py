"""An officer's notes on a case. Staff-only: no partner view reads this table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.models import Note, Person, User


@dataclass(frozen=True)
class NotesPage:
    items: list[Note]
    next_before: int | None  # pass as `before` for older notes


def add_note(session: Session, *, person: Person, author: User, body: str, now: datetime) -> Note:
    note = Note(person_id=person.id, author_id=author.id, body=body, created_at=now)  # type: ignore[arg-type]
    session.add(note)
    session.flush()
    return note


def list_notes(
    session: Session, person_id: int, *, before: int | None = None, limit: int = 50
) -> NotesPage:
    """Newest first, by id (ids grow with time), `limit` at a time."""
    query = (
        select(Note)
        .where(Note.person_id == person_id)
        .order_by(col(Note.id).desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(col(Note.id) < before)
    rows = list(session.exec(query).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return NotesPage(items=rows, next_before=rows[-1].id)
    return NotesPage(items=rows, next_before=None)
