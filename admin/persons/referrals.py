"""An officer's referrals for a case: propose one (the person is asked first), list them
with their history, cancel one that is still open."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import Field as PydanticField
from pydantic import StringConstraints
from sqlmodel import SQLModel

from admin.access import CASEWORKERS, CaseworkerUser, allow
from admin.lookup import person_or_404, service_errors, writable_person_or_404
from admin.persons.schemas import UtcDatetime, _Input
from admin.validation import DbId, LineChars, SafeText
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import RuntimeDep, SessionDep, SettingsDep
from bot.models import Referral
from bot.models.enums import Service
from bot.services import referral_proposals as proposals
from bot.services.referral_lifecycle import history

router = APIRouter(prefix="/persons", tags=["referrals"])

NOT_FOUND = "Referral not found."
SharedField = Literal["first_name", "language", "need", "contact_channel", "phone", "region"]
NeedNote = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=proposals.NOTE_CHARS), LineChars
]


class ReferralProposal(_Input):
    organisation_id: DbId
    kind: Service
    opportunity_id: DbId | None = None
    # What the partner may read about the need, in plain words (never the person's own).
    note: NeedNote | None = None
    # What the partner would receive; the person is told exactly this list.
    fields: Annotated[list[SharedField], PydanticField(min_length=1, max_length=6)] = [
        "first_name",
        "language",
        "need",
        "contact_channel",
    ]


class Cancellation(_Input):
    reason: SafeText


class ReferralEventOut(SQLModel):
    at: UtcDatetime
    from_status: str | None
    to_status: str
    actor_kind: str
    actor_user_id: int | None
    reason: str | None


class CaseReferral(SQLModel):
    id: int
    organisation_id: int
    opportunity_id: int | None
    kind: str
    status: str
    note: str | None
    shared_fields: list[str]
    reason: str | None
    helpful_rating: int | None
    created_at: UtcDatetime
    sent_at: UtcDatetime | None
    accepted_at: UtcDatetime | None
    closed_at: UtcDatetime | None
    history: list[ReferralEventOut]


class CaseReferrals(SQLModel):
    items: list[CaseReferral]


def _public(session: SessionDep, referral: Referral) -> CaseReferral:
    return CaseReferral(
        id=referral.id,  # type: ignore[arg-type]
        organisation_id=referral.organisation_id,
        opportunity_id=referral.opportunity_id,
        kind=referral.kind,
        status=str(referral.status),
        note=referral.note,
        shared_fields=list((referral.shared_fields or {}).get("fields", [])),
        reason=referral.reason,
        helpful_rating=referral.helpful_rating,
        created_at=referral.created_at,
        sent_at=referral.sent_at,
        accepted_at=referral.accepted_at,
        closed_at=referral.closed_at,
        history=[
            ReferralEventOut(
                at=e.created_at,
                from_status=e.from_status,
                to_status=e.to_status,
                actor_kind=e.actor_kind,
                actor_user_id=e.actor_user_id,
                reason=e.reason,
            )
            for e in history(session, referral.id)  # type: ignore[arg-type]
        ],
    )


@router.post(
    "/{person_id}/referrals",
    response_model=CaseReferral,
    status_code=status.HTTP_201_CREATED,
    **allow(*CASEWORKERS),
)
def propose(
    person_id: DbId,
    body: ReferralProposal,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> CaseReferral:
    """Propose a partner. The person is asked in the chat, with the organisation's name and
    every detail it would receive; the partner sees nothing until they say yes. 409 when
    the person cannot be reached or an open referral to that organisation exists."""
    person = writable_person_or_404(session, user, person_id, for_update=True)
    with service_errors():
        referral = proposals.propose_referral(
            session,
            settings,
            person,
            organisation_id=body.organisation_id,
            kind=body.kind.value,
            opportunity_id=body.opportunity_id,
            note=body.note,
            fields=list(body.fields),
            actor=user,
            now=utcnow(),
        )
    out = _public(session, referral)
    session.commit()
    runtime.queued()
    return out


@router.get("/{person_id}/referrals", response_model=CaseReferrals, **allow(*CASEWORKERS))
def list_referrals(person_id: DbId, user: CaseworkerUser, session: SessionDep) -> CaseReferrals:
    person = person_or_404(session, user, person_id)
    items = [_public(session, r) for r in proposals.referrals_of(session, person.id)]  # type: ignore[arg-type]
    audit.record(
        session,
        action="referral.list",
        entity_type="person",
        entity_id=person.id,
        person_id=person.id,
        actor_user_id=user.id,
    )
    session.commit()
    return CaseReferrals(items=items)


@router.post(
    "/{person_id}/referrals/{referral_id}/cancel",
    response_model=CaseReferral,
    **allow(*CASEWORKERS),
)
def cancel(
    person_id: DbId,
    referral_id: DbId,
    body: Cancellation,
    user: CaseworkerUser,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> CaseReferral:
    """Withdraw an open referral, saying why; a partner that had it is told. 409 once it
    is completed, declined or already cancelled."""
    person = writable_person_or_404(session, user, person_id)
    referral = proposals.referral_of(session, person.id, referral_id)  # type: ignore[arg-type]
    if referral is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    with service_errors():
        proposals.cancel_referral(
            session, settings, referral, actor=user, reason=body.reason, now=utcnow()
        )
    out = _public(session, referral)
    session.commit()
    runtime.queued()
    return out
