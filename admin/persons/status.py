"""A case's status: pause/resume messages, close/reopen, transfer to another officer."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field as PydanticField

from admin.access import CaseworkerUser, allow
from admin.lookup import person_or_404, service_errors
from admin.persons.schemas import PersonPublic, _Input
from bot.core import audit
from bot.core.deps import SessionDep
from bot.models import Person, User
from bot.models.enums import Role
from bot.services import case_status
from bot.services.case_status import Action
from bot.services.persons import MAX_ID

router = APIRouter(prefix="/persons", tags=["persons"])

_CASEWORKERS = allow(Role.admin, Role.supervisor, Role.officer)


class TransferRequest(_Input):
    officer_id: int = PydanticField(ge=1, le=MAX_ID)


def _move(session: SessionDep, user: User, person_id: int, action: Action) -> PersonPublic:
    person: Person = person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        old = case_status.change_status(session, person, action)
    audit.record(
        session,
        action=f"person.{action}",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"from": str(old), "to": str(person.status)},
    )
    session.commit()
    return PersonPublic.from_person(person)


@router.post("/{person_id}/pause", response_model=PersonPublic, **_CASEWORKERS)
def pause_case(person_id: int, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    """Stop scheduled check-ins for now (appointment reminders still go)."""
    return _move(session, user, person_id, "pause")


@router.post("/{person_id}/resume", response_model=PersonPublic, **_CASEWORKERS)
def resume_case(person_id: int, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    return _move(session, user, person_id, "resume")


@router.post("/{person_id}/close", response_model=PersonPublic, **_CASEWORKERS)
def close_case(person_id: int, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    """Stop every scheduled message: check-ins, their queued questions, reminders."""
    return _move(session, user, person_id, "close")


@router.post("/{person_id}/reopen", response_model=PersonPublic, **_CASEWORKERS)
def reopen_case(person_id: int, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    return _move(session, user, person_id, "reopen")


@router.post(
    "/{person_id}/transfer",
    response_model=PersonPublic,
    **allow(Role.admin, Role.supervisor),
)
def transfer_case(
    person_id: int, body: TransferRequest, user: CaseworkerUser, session: SessionDep
) -> PersonPublic:
    person = person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        previous = case_status.transfer(session, person, user, body.officer_id)
    audit.record(
        session,
        action="person.transfer",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"from_officer_id": previous, "to_officer_id": body.officer_id},
    )
    session.commit()
    return PersonPublic.from_person(person)
