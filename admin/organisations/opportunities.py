"""Openings partners offer (jobs, rooms, places in a programme): NGO staff for their own
organisation, caseworkers and admins for any. Another organisation's opening answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from admin.access import ALL_STAFF, CurrentUser, allow
from admin.lookup import service_errors
from admin.organisations.schemas import (
    OpportunitiesPage,
    OpportunityCreate,
    OpportunityPublic,
    OpportunityUpdate,
    RegionName,
)
from admin.validation import Cursor, DbId
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.models import Opportunity
from bot.models.enums import OpportunityStatus, Service
from bot.services import organisations as service

router = APIRouter(prefix="/opportunities", tags=["opportunities"])

NOT_FOUND = "Opportunity not found."
ORGANISATION_NOT_FOUND = "Organisation not found."


def public(opportunity: Opportunity) -> OpportunityPublic:
    return OpportunityPublic.model_validate(opportunity, from_attributes=True)


@router.post(
    "", response_model=OpportunityPublic, status_code=status.HTTP_201_CREATED, **allow(*ALL_STAFF)
)
def create(body: OpportunityCreate, user: CurrentUser, session: SessionDep) -> OpportunityPublic:
    """A new opening; the work and housing journeys offer it while it is open, not past
    `closes_at` and not full (accepted referrals reach `capacity`)."""
    with service_errors():
        opportunity = service.create_opportunity(
            session, body.model_dump(), actor=user, now=utcnow()
        )
    if opportunity is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, ORGANISATION_NOT_FOUND)
    session.commit()
    return public(opportunity)


@router.get("", response_model=OpportunitiesPage, **allow(*ALL_STAFF))
def list_opportunities(
    user: CurrentUser,
    session: SessionDep,
    after: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    organisation_id: Annotated[DbId | None, Query()] = None,
    region: Annotated[RegionName | None, Query()] = None,
    kind: Service | None = None,
    status_filter: Annotated[OpportunityStatus | None, Query(alias="status")] = None,
) -> OpportunitiesPage:
    rows = service.list_opportunities(
        session,
        user,
        after=after,
        limit=limit + 1,
        organisation_id=organisation_id,
        region=region,
        kind=kind.value if kind else None,
        status=status_filter.value if status_filter else None,
    )
    page = rows[:limit]
    return OpportunitiesPage(
        items=[public(o) for o in page], next_after=page[-1].id if len(rows) > limit else None
    )


@router.get("/{opportunity_id}", response_model=OpportunityPublic, **allow(*ALL_STAFF))
def read(opportunity_id: DbId, user: CurrentUser, session: SessionDep) -> OpportunityPublic:
    opportunity = service.get_opportunity_for(session, user, opportunity_id)
    if opportunity is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return public(opportunity)


@router.patch("/{opportunity_id}", response_model=OpportunityPublic, **allow(*ALL_STAFF))
def update(
    opportunity_id: DbId, body: OpportunityUpdate, user: CurrentUser, session: SessionDep
) -> OpportunityPublic:
    """Change texts, capacity, open/closed or the closing time; `null` clears capacity,
    closes_at or region."""
    opportunity = service.get_opportunity_for(session, user, opportunity_id)
    if opportunity is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    with service_errors():
        service.update_opportunity(
            session, opportunity, body.model_dump(exclude_unset=True), actor=user, now=utcnow()
        )
    session.commit()
    return public(opportunity)
