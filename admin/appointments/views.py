"""Appointments: officers set them; the worker reminds the person 24 h and 2 h before."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlmodel import col, select

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.appointments.schemas import AppointmentCreate, AppointmentPublic, AppointmentUpdate
from admin.lookup import person_or_404, service_errors, writable_person_or_404
from admin.validation import DbId
from bot.core import audit
from bot.core.clock import as_utc, utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models import Appointment
from bot.models.enums import AppointmentStatus, Role
from bot.pipeline.appointment_notices import tell_person
from bot.services import case_work
from bot.services.appointments import (
    set_appointment_status,
    update_appointment,
)
from bot.services.persons import MAX_ID

router = APIRouter(prefix="/persons", tags=["appointments"])
_CASEWORKERS = allow(Role.admin, Role.supervisor, Role.officer)


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
    runtime: RuntimeDep,
) -> AppointmentPublic:
    person = writable_person_or_404(session, user, person_id, for_update=True)
    now = utcnow()
    with service_errors():
        appointment = case_work.book_appointment(
            session,
            settings,
            person,
            user,
            starts_at=body.starts_at,
            kind=body.kind,
            place=body.place,
            now=now,
        )
    session.commit()
    runtime.queued()  # the person is told at once
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


def _appointment_or_404(session: SessionDep, person_id: int, appointment_id: int) -> Appointment:
    appointment = (
        session.exec(
            select(Appointment)
            .where(Appointment.id == appointment_id, Appointment.person_id == person_id)
            .with_for_update()
        ).first()
        if 1 <= appointment_id <= MAX_ID
        else None
    )
    if appointment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Appointment not found.")
    return appointment


@router.patch(
    "/{person_id}/appointments/{appointment_id}",
    response_model=AppointmentPublic,
    **_CASEWORKERS,
)
def update(
    person_id: DbId,
    appointment_id: DbId,
    body: AppointmentUpdate,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AppointmentPublic:
    """Move or change an upcoming appointment; a new time is told to the person at once."""
    person = person_or_404(session, user, person_id)
    appointment = _appointment_or_404(session, person.id, appointment_id)  # type: ignore[arg-type]
    now = utcnow()
    with service_errors():
        moved = update_appointment(
            session,
            person,
            appointment,
            settings=settings,
            starts_at=body.starts_at,
            place=body.place,
            kind=body.kind,
            now=now,
        )
    told = moved or body.place is not None
    if told:
        tell_person(session, settings, person, appointment, "moved", now=now)
    audit.record(
        session,
        action="appointment.update",
        entity_type="appointment",
        entity_id=appointment.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"fields": sorted(body.model_fields_set)},
    )
    session.commit()
    if told:
        runtime.queued()
    return AppointmentPublic.model_validate(appointment)


def _mark(
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    user: CaseworkerUser,
    person_id: DbId,
    appointment_id: DbId,
    new: AppointmentStatus,
) -> AppointmentPublic:
    person = person_or_404(session, user, person_id)
    appointment = _appointment_or_404(session, person.id, appointment_id)  # type: ignore[arg-type]
    now = utcnow()
    with service_errors():
        old = set_appointment_status(session, appointment, new, now=now)
    told = new == AppointmentStatus.cancelled and as_utc(appointment.starts_at) > now  # type: ignore[operator]
    if told:
        tell_person(session, settings, person, appointment, "cancelled", now=now)
    audit.record(
        session,
        action=f"appointment.{new}",
        entity_type="appointment",
        entity_id=appointment.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"from": str(old)},
    )
    session.commit()
    if told:
        runtime.queued()
    return AppointmentPublic.model_validate(appointment)


@router.post(
    "/{person_id}/appointments/{appointment_id}/cancel",
    response_model=AppointmentPublic,
    **_CASEWORKERS,
)
def cancel(
    person_id: DbId,
    appointment_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AppointmentPublic:
    return _mark(
        session, settings, runtime, user, person_id, appointment_id, AppointmentStatus.cancelled
    )


@router.post(
    "/{person_id}/appointments/{appointment_id}/attended",
    response_model=AppointmentPublic,
    **_CASEWORKERS,
)
def attended(
    person_id: DbId,
    appointment_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AppointmentPublic:
    return _mark(
        session, settings, runtime, user, person_id, appointment_id, AppointmentStatus.attended
    )


@router.post(
    "/{person_id}/appointments/{appointment_id}/missed",
    response_model=AppointmentPublic,
    **_CASEWORKERS,
)
def missed(
    person_id: DbId,
    appointment_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> AppointmentPublic:
    return _mark(
        session, settings, runtime, user, person_id, appointment_id, AppointmentStatus.missed
    )
