"""Partner organisations, for administrators: create, change (deactivating one stops new
referrals to it; its open ones stay visible), list and read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from admin.access import CurrentUser, allow
from admin.lookup import service_errors
from admin.organisations.schemas import (
    OrganisationCreate,
    OrganisationPublic,
    OrganisationsPage,
    OrganisationUpdate,
)
from admin.validation import Cursor, DbId
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.models import Organisation
from bot.models.enums import Role
from bot.services import organisations as service

router = APIRouter(prefix="/organisations", tags=["organisations"])

NOT_FOUND = "Organisation not found."


def public(organisation: Organisation, secret: str | None = None) -> OrganisationPublic:
    return OrganisationPublic(
        id=organisation.id,  # type: ignore[arg-type]
        name=organisation.name,
        services=list(organisation.services),
        regions=list(organisation.regions),
        languages=list(organisation.languages),
        contact_email=organisation.contact_email,
        contact_phone=organisation.contact_phone,
        address=organisation.address,
        opening_hours=organisation.opening_hours,
        is_active=organisation.is_active,
        webhook_url=organisation.webhook_url,
        webhook_disabled_at=organisation.webhook_disabled_at,
        has_webhook_secret=bool(organisation.webhook_secret),
        created_at=organisation.created_at,
        updated_at=organisation.updated_at,
        webhook_secret=secret,
    )


@router.post(
    "",
    response_model=OrganisationPublic,
    response_model_exclude_none=False,
    status_code=status.HTTP_201_CREATED,
    **allow(Role.admin),
)
def create(
    body: OrganisationCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> OrganisationPublic:
    """A new partner. With a `webhook_url` (https and a public address in production) its
    signing secret is in this answer, once."""
    with service_errors():
        organisation, secret = service.create_organisation(
            session, settings, body.model_dump(), actor=user, now=utcnow()
        )
    session.commit()
    return public(organisation, secret)


@router.get("", response_model=OrganisationsPage, **allow(Role.admin))
def list_organisations(
    session: SessionDep,
    after: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    active: bool | None = None,
) -> OrganisationsPage:
    rows = service.list_organisations(session, after=after, limit=limit + 1, active=active)
    page = rows[:limit]
    return OrganisationsPage(
        items=[public(o) for o in page],
        next_after=page[-1].id if len(rows) > limit else None,
    )


@router.get("/{organisation_id}", response_model=OrganisationPublic, **allow(Role.admin))
def read(organisation_id: DbId, session: SessionDep) -> OrganisationPublic:
    organisation = service.get_organisation(session, organisation_id)
    if organisation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return public(organisation)


@router.patch("/{organisation_id}", response_model=OrganisationPublic, **allow(Role.admin))
def update(
    organisation_id: DbId,
    body: OrganisationUpdate,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> OrganisationPublic:
    """Change any field; `null` clears an optional one. Setting `webhook_url` again switches
    a webhook that answered 410 back on."""
    organisation = service.get_organisation(session, organisation_id)
    if organisation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    with service_errors():
        secret = service.update_organisation(
            session,
            settings,
            organisation,
            body.model_dump(exclude_unset=True),
            actor=user,
            now=utcnow(),
        )
    session.commit()
    return public(organisation, secret)
