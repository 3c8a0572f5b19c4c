"""Referrals for partner organisations: list their own (only the fields the person agreed
to share), and accept, decline or complete them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlmodel import SQLModel

from admin.access import CurrentUser, allow
from admin.lookup import service_errors
from admin.persons.schemas import UtcDatetime, _Input
from admin.validation import Cursor, DbId, SafeText
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models import Person, User
from bot.models.enums import ReferralStatus, Role
from bot.services import referrals as referral_service
from bot.services.erasure import ensure_not_erased

router = APIRouter(prefix="/referrals", tags=["referrals"])

NOT_FOUND = "Referral not found."


def get_partner(user: CurrentUser, session: SessionDep) -> User:
    """An admin, or an NGO user whose organisation exists and is active (403 otherwise,
    on every request: deactivating an organisation closes its access at once)."""
    with service_errors():
        referral_service.partner_organisation(session, user)
    return user


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
    note: SafeText | None = None


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
    after: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    status_filter: Annotated[ReferralStatus | None, Query(alias="status")] = None,
) -> ReferralsPage:
    with service_errors():
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
    referral_id: DbId,
    body: StatusChange,
    user: PartnerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> ReferralForPartner:
    """Accept, decline or complete; the person is told in one short message."""
    with service_errors():
        referral = referral_service.referral_for(session, user, referral_id)
    if referral is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    person = session.get(Person, referral.person_id)
    assert person is not None
    with service_errors():
        ensure_not_erased(person)  # an erased person can no longer be told anything
        referral_service.change_status(
            session, settings, referral, body.status, actor=user, note=body.note, now=utcnow()
        )
    view = referral_service.shared_view(referral, person)
    session.commit()
    runtime.queued()
    return _public(view)
