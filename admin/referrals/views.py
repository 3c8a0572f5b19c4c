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
from bot.services.referral_lifecycle import history

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
    reason: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    sent_at: UtcDatetime | None
    accepted_at: UtcDatetime | None
    closed_at: UtcDatetime | None
    # Only the fields the person agreed to share with this organisation.
    person: dict[str, str | None]


class HistoryEvent(SQLModel):
    at: UtcDatetime
    from_status: str | None
    to_status: str
    # Who moved it: person | partner | programme (staff and the system; never a name).
    by: str
    reason: str | None


class ReferralDetail(ReferralForPartner):
    history: list[HistoryEvent]


class ReferralsPage(SQLModel):
    items: list[ReferralForPartner]
    next_after: int | None


class StatusChange(_Input):
    # Partners: accepted, declined (with a reason), in_progress, completed. Admins may
    # also cancel (with a reason).
    status: Literal["accepted", "declined", "in_progress", "completed", "cancelled"]
    reason: SafeText | None = None


def _public(view: referral_service.SharedView) -> ReferralForPartner:
    referral = view.referral
    return ReferralForPartner(
        id=referral.id,  # type: ignore[arg-type]
        kind=referral.kind,
        status=str(referral.status),
        opportunity_id=referral.opportunity_id,
        reason=referral.reason,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
        sent_at=referral.sent_at,
        accepted_at=referral.accepted_at,
        closed_at=referral.closed_at,
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


@router.get("/{referral_id}", response_model=ReferralDetail, **allow(Role.admin, Role.ngo))
def get_referral(referral_id: DbId, user: PartnerUser, session: SessionDep) -> ReferralDetail:
    """One referral with its history: only what the person agreed to share."""
    with service_errors():
        referral = referral_service.referral_for(session, user, referral_id)
    if referral is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    person = session.get(Person, referral.person_id)
    assert person is not None
    view = _public(referral_service.shared_view(referral, person))
    events = [
        HistoryEvent(
            at=e.created_at,
            from_status=e.from_status,
            to_status=e.to_status,
            by=e.actor_kind if e.actor_kind in ("person", "partner") else "programme",
            reason=e.reason,
        )
        for e in history(session, referral_id)
    ]
    audit.record(
        session,
        action="referral.read",
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        actor_user_id=user.id,
    )
    session.commit()
    return ReferralDetail(**view.model_dump(), history=events)


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
    """Accept, decline (say why), start or complete; the person hears of accept, decline and
    completion in one short message. 409 for a move the lifecycle does not allow."""
    with service_errors():
        view = referral_service.move_for(
            session, settings, user, referral_id, body.status, reason=body.reason, now=utcnow()
        )
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    session.commit()
    runtime.queued()
    return _public(view)
