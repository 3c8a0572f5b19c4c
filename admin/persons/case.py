"""Moving a case: pause and resume messages, close and reopen, transfer to another officer.
The rules (one transition table) are in bot/services/case_status.py."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.lookup import service_errors, writable_person_or_404
from admin.persons.schemas import PersonPublic, _Input
from admin.validation import DbId
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.models import Person, User
from bot.models.enums import Role
from bot.services import case_work

router = APIRouter(prefix="/persons", tags=["cases"])


class TransferBody(_Input):
    officer_id: DbId


class _Empty(BaseModel):
    pass


def _move(session: SessionDep, user: User, person_id: int, action: str) -> PersonPublic:
    person: Person = writable_person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        case_work.move_case(session, person, user, action, utcnow())
    session.commit()
    return PersonPublic.from_person(person)


@router.post("/{person_id}/pause", response_model=PersonPublic, **allow(*CASEWORKERS))
def pause(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    """No check-ins or other scheduled messages until resumed; the person can still write."""
    return _move(session, user, person_id, "pause")


@router.post("/{person_id}/resume", response_model=PersonPublic, **allow(*CASEWORKERS))
def resume(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    return _move(session, user, person_id, "resume")


@router.post("/{person_id}/close", response_model=PersonPublic, **allow(*CASEWORKERS))
def close(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    """Every scheduled message stops: open check-ins cancelled, reminders cleared, queued
    messages not sent. Message bodies are purged RETENTION_DAYS later."""
    return _move(session, user, person_id, "close")


@router.post("/{person_id}/reopen", response_model=PersonPublic, **allow(*CASEWORKERS))
def reopen(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    return _move(session, user, person_id, "reopen")


@router.post(
    "/{person_id}/transfer",
    response_model=PersonPublic,
    **allow(Role.admin, Role.supervisor),
)
def transfer(
    person_id: DbId, body: TransferBody, user: CaseworkerUser, session: SessionDep
) -> PersonPublic:
    """To another active officer (admins: any; supervisors: one of their team)."""
    person = writable_person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        case_work.transfer_case(session, person, user, body.officer_id)
    session.commit()
    return PersonPublic.from_person(person)
