"""An officer refers a person to a partner: the referral is proposed, and the person is
asked in the chat, naming the organisation and exactly what it would receive. Only their
yes sends it (bot.pipeline.effect_records.answer_referral_offer). The officer may cancel
one that is still open; a partner that had it is told."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

import flows
from bot.core import audit
from bot.core.settings import Settings
from bot.models import Opportunity, Organisation, Person, Referral, User
from bot.models.enums import OpportunityStatus, PersonStatus, ReferralStatus, Role, Service
from bot.pipeline.outreach import start_conversation
from bot.services import Conflict, InvalidInput
from bot.services.partner_notices import CANCELLED, notify_partner
from bot.services.persons import MAX_ID
from bot.services.referral_lifecycle import (
    OPEN,
    VISIBLE_TO_PARTNERS,
    move_referral,
    record_creation,
)
from flows.types import ReferralOffer

# What a partner receives unless the officer proposes otherwise: enough to help, no more.
DEFAULT_FIELDS = ("first_name", "language", "need", "contact_channel")
SHAREABLE = ("first_name", "language", "need", "contact_channel", "phone", "region")
NOTE_CHARS = 200


def propose_referral(
    session: Session,
    settings: Settings,
    person: Person,
    *,
    organisation_id: int,
    kind: str,
    opportunity_id: int | None,
    note: str | None,
    fields: list[str] | None,
    actor: User,
    now: datetime,
) -> Referral:
    if person.status != PersonStatus.active or not person.consent_given:
        raise Conflict("only an active person who consented can be referred")
    organisation = (
        session.get(Organisation, organisation_id) if 1 <= organisation_id <= MAX_ID else None
    )
    if organisation is None:
        raise InvalidInput("organisation_id", "no such organisation")
    if not organisation.is_active:
        raise InvalidInput("organisation_id", "this organisation no longer takes referrals")
    if kind not in set(Service):
        raise InvalidInput("kind", f"must be one of: {', '.join(sorted(Service))}")
    if organisation.services and kind not in organisation.services:
        raise InvalidInput("kind", f"{organisation.name} does not offer {kind}")
    if opportunity_id is not None:
        opportunity = session.get(Opportunity, opportunity_id) if opportunity_id <= MAX_ID else None
        if opportunity is None or opportunity.organisation_id != organisation.id:
            raise InvalidInput("opportunity_id", "no such opening at this organisation")
        if opportunity.status != OpportunityStatus.open:
            raise InvalidInput("opportunity_id", "this opening is closed")
    shared = list(DEFAULT_FIELDS) if fields is None else fields
    unknown = sorted(set(shared) - set(SHAREABLE))
    if unknown or not shared:
        raise InvalidInput("fields", f"choose from: {', '.join(SHAREABLE)}")
    duplicate = session.exec(
        select(Referral.id).where(
            Referral.person_id == person.id,
            Referral.organisation_id == organisation.id,
            col(Referral.status).in_(OPEN),
        )
    ).first()
    if duplicate is not None:
        raise Conflict(f"an open referral to this organisation exists (id {duplicate})")
    referral = Referral(
        person_id=person.id,  # type: ignore[arg-type]
        organisation_id=organisation.id,  # type: ignore[arg-type]
        opportunity_id=opportunity_id,
        kind=kind,
        status=ReferralStatus.proposed,
        shared_fields={"fields": [f for f in SHAREABLE if f in shared]},
        note=(note or "").strip()[:NOTE_CHARS] or None,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    record_creation(session, referral, actor_kind="officer", actor_user_id=actor.id, now=now)
    audit.record(
        session,
        action="referral.propose",
        entity_type="referral",
        entity_id=referral.id,
        person_id=person.id,
        actor_user_id=actor.id,
        detail={"organisation_id": organisation.id, "kind": kind, "fields": shared},
    )
    offer = ReferralOffer(
        id=referral.id,  # type: ignore[arg-type]
        organisation_name=organisation.name,
        kind=kind,
        fields=tuple(referral.shared_fields["fields"]),
        address=organisation.address,
        opening_hours=organisation.opening_hours,
    )
    asked = start_conversation(
        session,
        settings,
        person,
        lambda ctx: flows.start_referral_offer(ctx, offer),
        now=now,
        kind="referral_offer",
    )
    if not asked:
        raise Conflict("no channel reaches the person to ask them; nothing was proposed")
    return referral


def cancel_referral(
    session: Session,
    settings: Settings,
    referral: Referral,
    *,
    actor: User,
    reason: str | None,
    now: datetime,
) -> Referral:
    """Withdraw an open referral (say why); a partner that could see it is told."""
    was_with_partner = referral.status in VISIBLE_TO_PARTNERS
    move_referral(
        session,
        referral,
        ReferralStatus.cancelled,
        actor_kind="admin" if actor.role == Role.admin else "officer",
        actor_user_id=actor.id,
        reason=reason,
        now=now,
    )
    if was_with_partner:
        notify_partner(session, settings, referral, CANCELLED, now=now)
    return referral


def referrals_of(session: Session, person_id: int, *, limit: int = 200) -> list[Referral]:
    return list(
        session.exec(
            select(Referral)
            .where(Referral.person_id == person_id)
            .order_by(col(Referral.created_at).desc(), col(Referral.id).desc())
            .limit(limit)
        )
    )


def referral_of(session: Session, person_id: int, referral_id: int) -> Referral | None:
    referral = session.get(Referral, referral_id) if 1 <= referral_id <= MAX_ID else None
    return referral if referral is not None and referral.person_id == person_id else None
