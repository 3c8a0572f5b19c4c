"""An officer's notes on a case: written and read by caseworkers only (never by partners),
audited both ways, and shown on the timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import StringConstraints
from sqlmodel import SQLModel

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.lookup import person_or_404, writable_person_or_404
from admin.persons.schemas import UtcDatetime, _Input
from admin.validation import Cursor, DbId, TextChars
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.services import case_work
from bot.services.notes import list_notes

router = APIRouter(prefix="/persons", tags=["notes"])

NoteBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), TextChars
]


class NoteCreate(_Input):
    body: NoteBody


class NotePublic(SQLModel):
    id: int
    person_id: int
    author_id: int | None
    body: str
    created_at: UtcDatetime


class NotesPage(SQLModel):
    items: list[NotePublic]
    next_before: int | None  # pass as `before` for older notes; null on the last page


@router.post(
    "/{person_id}/notes",
    response_model=NotePublic,
    status_code=status.HTTP_201_CREATED,
    **allow(*CASEWORKERS),
)
def create_note(
    person_id: DbId, body: NoteCreate, user: CaseworkerUser, session: SessionDep
) -> NotePublic:
    person = writable_person_or_404(session, user, person_id)
    note = case_work.note_on_case(session, person, user, body.body, utcnow())
    session.commit()
    return NotePublic.model_validate(note)


@router.get("/{person_id}/notes", response_model=NotesPage, **allow(*CASEWORKERS))
def read_notes(
    person_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    before: Annotated[Cursor | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotesPage:
    person = person_or_404(session, user, person_id)
    page = list_notes(session, person_id, before=before, limit=limit)
    audit.record(
        session,
        action="note.list",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"note_ids": [note.id for note in page.items]},
    )
    session.commit()
    return NotesPage(
        items=[NotePublic.model_validate(note) for note in page.items],
        next_before=page.next_before,
    )
