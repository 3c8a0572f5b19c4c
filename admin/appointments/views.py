"""Appointments: officers set them; the worker reminds the person 24 h and 2 h before."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlmodel import col, select

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.appointments.schemas import AppointmentCreate, AppointmentPublic
from admin.lookup import person_or_404, service_errors, writable_person_or_404
from admin.validation import DbId
from bot.core import audit
from bot.core.deps import SessionDep, SettingsDep
from bot.models import Appointment
from bot.services.appointments import create_appointment

router = APIRouter(prefix="/persons", tags=["appointments"])


@router.post(
    "/{person_id}/appointments",
    response_model=AppointmentPublic,
    status_code=status.HTTP_201_CREATED,
    **allow(*CASEWORKERS),
)
def create(
    person_id: DbId,
    body: AppointmentCreate,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
) -> AppointmentPublic:
    person = writable_person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        appointment = create_appointment(
            session,
            person,
            starts_at=body.starts_at,
            kind=body.kind,
            place=body.place,
            settings=settings,
            created_by_id=user.id,
        )
    audit.record(
        session,
        action="appointment.create",
        entity_type="appointment",
        entity_id=appointment.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"starts_at": appointment.starts_at.isoformat(), "kind": appointment.kind},
    )
    session.commit()
    return AppointmentPublic.model_validate(appointment)


@router.get(
    "/{person_id}/appointments", response_model=list[AppointmentPublic], **allow(*CASEWORKERS)
)
def list_for_person(
    person_id: DbId, user: CaseworkerUser, session: SessionDep
) -> list[AppointmentPublic]:
    """The person's appointments, soonest first (at most 200)."""
    person = person_or_404(session, user, person_id)
    rows = session.exec(
        select(Appointment)
        .where(Appointment.person_id == person.id)
        .order_by(col(Appointment.starts_at))
        .limit(200)
    ).all()
    audit.record(
        session,
        action="appointment.list",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
    )
    session.commit()
    return [AppointmentPublic.model_validate(row) for row in rows]
