"""An officer's notes on a case. Staff-only: partner organisations never read them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.core.clock import utcnow
from bot.models import Note, Person, User
from bot.services import Conflict


def add_note(session: Session, person: Person, author: User, body: str) -> Note:
    # An erased person keeps only anonymous rows; a note would put content back.
    if person.erased_at is not None:
        raise Conflict("This person's data has been erased; notes cannot be added.")
    assert person.id is not None
    note = Note(person_id=person.id, author_id=author.id, body=body, created_at=utcnow())
    session.add(note)
    session.flush()
    return note


def list_notes(session: Session, person_id: int, *, limit: int = 100) -> list[Note]:
    """Newest first."""
    query = (
        select(Note)
        .where(Note.person_id == person_id)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())
