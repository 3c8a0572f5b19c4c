"""What every admin view does the same way: find a person in the caller's scope (404
otherwise, like a missing one) and turn the services' refusals into HTTP answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, status
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session

from bot.core import audit
from bot.models import Person, User
from bot.services import Conflict, InvalidInput, NotAllowed
from bot.services import persons as person_service
from bot.services.erasure import ensure_not_erased
from bot.services.persons import MAX_ID

PERSON_NOT_FOUND = "Person not found."


@contextmanager
def service_errors(where: str = "body") -> Iterator[None]:
    """Turn the services' refusals into HTTP answers: 422, 403, 409."""
    try:
        yield
    except InvalidInput as exc:
        raise RequestValidationError(
            [{"type": "value_error", "loc": (where, exc.field), "msg": str(exc)}]
        ) from None
    except NotAllowed as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except Conflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


def person_or_404(
    session: Session, user: User, person_id: int, *, for_update: bool = False
) -> Person:
    person = person_service.get_person_for(session, user, person_id, for_update=for_update)
    if person is None:
        record_refused_read(session, user, person_id)
        raise HTTPException(status.HTTP_404_NOT_FOUND, PERSON_NOT_FOUND)
    return person


def writable_person_or_404(
    session: Session, user: User, person_id: int, *, for_update: bool = False
) -> Person:
    """The person for a view that records something about them: 404 out of scope, 409
    once their data was erased (nothing new may be written about them)."""
    person = person_or_404(session, user, person_id, for_update=for_update)
    with service_errors():
        ensure_not_erased(person)
    return person


def record_refused_read(session: Session, user: User, person_id: int) -> None:
    """Audit a refused read (out of scope or missing: the caller hears 404 for both), and
    commit it although the request fails. Whatever the request did before is dropped first,
    as the 404 would drop it anyway; on SQLite a second session could not write meanwhile."""
    actor_id = user.id
    session.rollback()
    in_range = 1 <= person_id <= MAX_ID
    exists = in_range and session.get(Person, person_id) is not None
    audit.record(
        session,
        action="person.read_refused",
        entity_type="person",
        entity_id=person_id if in_range else None,
        person_id=person_id if exists else None,
        actor_user_id=actor_id,
        detail={"asked_id": person_id, "exists": exists},
    )
    session.commit()
