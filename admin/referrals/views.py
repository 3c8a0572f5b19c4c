"""Referrals for partner organisations: list their own (only the fields the person agreed
to share), and accept, decline or complete them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import StringConstraints
from sqlmodel import SQLModel

from admin.access import CurrentUser, allow
from admin.lookup import service_errors
from admin.persons.schemas import UtcDatetime, _Input
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models import Person, User
from bot.models.enums import Role
from bot.services import referrals as referral_service

router = APIRouter(prefix="/referrals", tags=["referrals"])

NOT_FOUND = "Referral not found."


def get_partner(user: CurrentUser) -> User:
    if user.role == Role.admin or (user.role == Role.ngo and user.organisation_id is not None):
        return user
    raise HTTPException(status.HTTP_403_FORBIDDEN, "Only partner organisations handle referrals.")


PartnerUser = Annotated[User, Depends(get_partner)]


class ReferralForPartner(SQLModel):
    id: int
    kind: str
    status: str
    opportunity_id: int | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    # Only the fields the person agreed to share with this organisation.
    person: dict[str, str | None]


class ReferralsPage(SQLModel):
    items: list[ReferralForPartner]
    next_after: int | None


class StatusChange(_Input):
    status: Literal["accepted", "declined", "completed"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


def _public(view: referral_service.SharedView) -> ReferralForPartner:
    referral = view.referral
    return ReferralForPartner(
        id=referral.id,  # type: ignore[arg-type]
        kind=referral.kind,
        status=str(referral.status),
        opportunity_id=referral.opportunity_id,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
        person=view.shared,
    )


@router.get("", response_model=ReferralsPage, **allow(Role.admin, Role.ngo))
def list_referrals(
    user: PartnerUser,
    session: SessionDep,
    after: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    status_filter: Annotated[str | None, Query(alias="status", max_length=16)] = None,
) -> ReferralsPage:
    views = referral_service.referrals_for(
        session, user, after=after, limit=limit + 1, status=status_filter
    )
    page = views[:limit]
    audit.record(
        session,
        action="referral.list",
        entity_type="organisation",
        entity_id=user.organisation_id,
        actor_user_id=user.id,
        detail={"referral_ids": [v.referral.id for v in page]},
    )
    session.commit()
    return ReferralsPage(
        items=[_public(v) for v in page],
        next_after=page[-1].referral.id if len(views) > limit else None,
    )


@router.post(
    "/{referral_id}/status", response_model=ReferralForPartner, **allow(Role.admin, Role.ngo)
)
def change_status(
    referral_id: int,
    body: StatusChange,
    user: PartnerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> ReferralForPartner:
    """Accept, decline or complete; the person is told in one short message."""
    referral = referral_service.referral_for(session, user, referral_id)
    if referral is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    with service_errors():
        referral_service.change_status(
            session, settings, referral, body.status, actor=user, note=body.note, now=utcnow()
        )
    person = session.get(Person, referral.person_id)
    assert person is not None
    view = referral_service.shared_view(referral, person)
    session.commit()
    runtime.queued()
    return _public(view)
