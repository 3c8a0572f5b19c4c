"""Notes on a case: officers, supervisors and admins write and read them; NGO accounts never
see them (the route refuses their role, and no partner view includes notes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import SQLModel

from admin.access import CaseworkerUser, allow
from admin.lookup import person_or_404, service_errors
from admin.persons.schemas import UtcDatetime, _Input
from admin.persons.text import printable_text
from bot.core import audit
from bot.core.deps import SessionDep
from bot.models import Note
from bot.models.enums import Role
from bot.services import notes as note_service

router = APIRouter(prefix="/persons", tags=["notes"])

NoteText = printable_text(4000)


class NoteCreate(_Input):
    body: NoteText  # type: ignore[valid-type]


class NotePublic(SQLModel):
    id: int
    person_id: int
    author_id: int | None
    body: str
    created_at: UtcDatetime


class NoteList(SQLModel):
    items: list[NotePublic]


_CASEWORKERS = allow(Role.admin, Role.supervisor, Role.officer)


@router.post(
    "/{person_id}/notes",
    response_model=NotePublic,
    status_code=status.HTTP_201_CREATED,
    **_CASEWORKERS,
)
def create_note(
    person_id: int, body: NoteCreate, user: CaseworkerUser, session: SessionDep
) -> Note:
    person = person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        note = note_service.add_note(session, person, user, body.body)
    audit.record(
        session,
        action="note.create",
        entity_type="note",
        entity_id=note.id,
        person_id=person.id,
        actor_user_id=user.id,
    )
    session.commit()
    session.refresh(note)
    return note


@router.get("/{person_id}/notes", response_model=NoteList, **_CASEWORKERS)
def read_notes(
    person_id: int,
    user: CaseworkerUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NoteList:
    person = person_or_404(session, user, person_id)
    notes = note_service.list_notes(session, person.id, limit=limit)  # type: ignore[arg-type]
    audit.record(
        session,
        action="note.read",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"count": len(notes)},
    )
    session.commit()
    return NoteList(items=[NotePublic.model_validate(note) for note in notes])
