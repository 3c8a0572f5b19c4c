"""The persons API: enroll, list the caseload, read a record and its timeline, invite, check in.

Every read of a person's record and every change writes an audit event in the same
transaction as the work itself. A person outside the caller's scope answers exactly like a
missing one.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.lookup import person_or_404, service_errors, writable_person_or_404
from admin.persons.schemas import (
    AwareDatetimeIn,
    CheckInSchedule,
    InviteCreate,
    PersonCreate,
    PersonPublic,
    PersonsPage,
    TimelinePage,
    timeline_item,
)
from admin.validation import Cursor, DbId
from bot.channels.sms.invites import ensure_sms_invitable, queue_sms_invitation
from bot.channels.telegram.adapter import telegram_link
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models.checkin import CheckInPublic
from bot.models.enums import Channel, PersonStatus
from bot.models.invite import InvitePublic
from bot.services import case_work
from bot.services import persons as person_service
from bot.services.invites import create_invite
from bot.services.timeline import read_timeline

log = logging.getLogger(__name__)

router = APIRouter(prefix="/persons", tags=["persons"])


@router.post(
    "", response_model=PersonPublic, status_code=status.HTTP_201_CREATED, **allow(*CASEWORKERS)
)
def create_person(
    body: PersonCreate, user: CaseworkerUser, session: SessionDep, settings: SettingsDep
) -> PersonPublic:
    """Enroll a person (status `invited`); then make them an invitation code."""
    with service_errors():
        phone = (
            person_service.normalise_phone(body.phone, settings.default_region)
            if body.phone
            else None
        )
        person = person_service.create_person(
            session,
            actor=user,
            display_name=body.display_name,
            language=body.language,
            region=body.region,
            timezone=body.timezone or settings.default_timezone,
            supervision_level=body.supervision_level,
            phone_e164=phone,
            officer_id=body.officer_id,
        )
    audit.record(
        session,
        action="person.create",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"officer_id": person.officer_id},
    )
    session.commit()
    log.info("person enrolled", extra={"person_id": person.id, "officer_id": person.officer_id})
    return PersonPublic.from_person(person)


@router.get("", response_model=PersonsPage, **allow(*CASEWORKERS))
def list_persons(
    user: CaseworkerUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Cursor | None = None,
    status_filter: Annotated[PersonStatus | None, Query(alias="status")] = None,
) -> PersonsPage:
    """The caller's caseload in id order, a page at a time."""
    page = person_service.list_caseload(
        session, user, limit=limit, after=after, status=status_filter
    )
    audit.record(
        session,
        action="person.list",
        entity_type="person",
        actor_user_id=user.id,
        detail={"person_ids": [person.id for person in page.items]},
    )
    session.commit()
    return PersonsPage(
        items=[PersonPublic.from_person(person) for person in page.items],
        next_after=page.next_after,
    )


@router.get("/{person_id}", response_model=PersonPublic, **allow(*CASEWORKERS))
def read_person(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> PersonPublic:
    person = person_or_404(session, user, person_id)
    case_work.record_case_read(session, person, user)
    session.commit()
    return PersonPublic.from_person(person)


@router.post(
    "/{person_id}/invites",
    response_model=InvitePublic,
    status_code=status.HTTP_201_CREATED,
    **allow(*CASEWORKERS),
)
def invite_person(
    person_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    body: Annotated[InviteCreate | None, Body()] = None,
) -> InvitePublic:
    """A new invitation code; the person's earlier unused code stops working."""
    person = writable_person_or_404(session, user, person_id, for_update=True)
    channel = body.channel if body is not None else None
    with service_errors():
        if channel == Channel.sms:
            ensure_sms_invitable(session, person, settings)
        invite = create_invite(session, person, settings=settings, created_by=user, channel=channel)
        if channel == Channel.sms:
            queue_sms_invitation(session, person, invite)  # texted once this commits
    audit.record(
        session,
        action="invite.create",
        entity_type="invite",
        entity_id=invite.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"channel": invite.channel},
    )
    session.commit()
    if channel == Channel.sms:
        runtime.queued()
    return InvitePublic(
        code=invite.code,
        expires_at=invite.expires_at,
        channel=invite.channel,
        telegram_link=telegram_link(runtime.channels, invite.code),
    )


@router.get("/{person_id}/timeline", response_model=TimelinePage, **allow(*CASEWORKERS))
def person_timeline(
    person_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    before: Annotated[
        AwareDatetimeIn | None, Query(description="the `next_before` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TimelinePage:
    """Messages, check-ins, escalations and consent decisions, newest first."""
    person = person_or_404(session, user, person_id)
    assert person.id is not None
    page = read_timeline(session, person.id, before=before, limit=limit)
    audit.record(
        session,
        action="person.timeline.read",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
        detail={"before": before.isoformat() if before else None, "items": len(page.entries)},
    )
    session.commit()
    return TimelinePage(
        items=[timeline_item(entry) for entry in page.entries],  # type: ignore[misc]
        next_before=page.next_before,
    )


@router.post(
    "/{person_id}/checkins",
    response_model=CheckInPublic,
    status_code=status.HTTP_201_CREATED,
    **allow(*CASEWORKERS),
)
def schedule_checkin(
    person_id: DbId,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[CheckInSchedule | None, Body()] = None,
) -> CheckInPublic:
    """A one-off check-in, asked when due (now when `due_at` is left out). A time in the
    person's quiet hours moves to the morning, and the answer shows when it will go."""
    person = writable_person_or_404(session, user, person_id, for_update=True)
    requested = body.due_at if body is not None and body.due_at is not None else utcnow()
    with service_errors():
        checkin = case_work.schedule_checkin(session, settings, person, user, requested)
    session.commit()
    return CheckInPublic.model_validate(checkin)
