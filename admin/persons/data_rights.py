"""The person's data rights: a copy of everything held on them, and erasure."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlmodel import SQLModel

from admin.access import CASEWORKERS, CaseworkerUser, CurrentUser, allow
from admin.lookup import person_or_404, service_errors
from admin.persons.schemas import UtcDatetime
from admin.validation import DbId
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.models.enums import PersonStatus, Role
from bot.services.erasure import erase_person
from bot.services.person_export import export_person

log = logging.getLogger(__name__)

router = APIRouter(prefix="/persons", tags=["data rights"])


class ErasureDone(SQLModel):
    person_id: int
    status: PersonStatus
    erased_at: UtcDatetime


@router.get("/{person_id}/export", **allow(*CASEWORKERS))
def export(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> dict[str, Any]:
    """One JSON document of everything held on the person: profile, channel identities,
    consents, messages in and out, check-ins, escalations, referrals, appointments, notes,
    invitations (without their codes) and the conversation's state."""
    person = person_or_404(session, user, person_id)
    document = export_person(session, person, now=utcnow())
    audit.record(
        session,
        action="person.export",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"messages": len(document["messages"]), "notes": len(document["notes"])},
    )
    session.commit()
    return document


@router.post("/{person_id}/erase", response_model=ErasureDone, **allow(Role.admin))
def erase(person_id: DbId, user: CurrentUser, session: SessionDep) -> ErasureDone:
    """Erase the person's words, name, phone numbers, channel addresses and invitation
    codes; keep the anonymous rows the programme counts. The case is closed and nothing
    more is sent to them. A second erasure answers 409."""
    person = person_or_404(session, user, person_id, for_update=True)
    now: datetime = utcnow()
    with service_errors():
        erase_person(session, person, now=now)
    audit.record(
        session,
        action="person.erase",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
    )
    session.commit()
    log.info("person erased", extra={"person_id": person.id})
    return ErasureDone(
        person_id=person.id,  # type: ignore[arg-type]
        status=person.status,
        erased_at=now,
    )
