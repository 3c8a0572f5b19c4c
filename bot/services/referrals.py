"""Referrals seen from the partner's side: what an organisation may read, and how a
referral's status moves. The person hears of every decision in one short message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

import flows
from bot.core.settings import Settings
from bot.models import Organisation, Person, Referral, User
from bot.models.enums import ReferralStatus, Role
from bot.pipeline.escalations import open_escalation
from bot.pipeline.outreach import start_conversation
from bot.services import InvalidInput, NotAllowed
from bot.services.erasure import ensure_not_erased
from bot.services.partner_notices import CANCELLED, notify_partner
from bot.services.persons import MAX_ID
from bot.services.referral_lifecycle import DECLINED_REASON, VISIBLE_TO_PARTNERS, move_referral
from flows.types import ReferralInfo

log = logging.getLogger(__name__)

S = ReferralStatus
# What the person is told about; `sent` is bookkeeping, `cancelled` comes from our side.
TOLD_TO_PERSON = frozenset({S.accepted, S.declined, S.completed})
PARTNER_MAY_SET = frozenset({S.accepted, S.declined, S.in_progress, S.completed})
ADMIN_MAY_SET = PARTNER_MAY_SET | {S.cancelled}

PARTNERS_ONLY = "Only partner organisations handle referrals."
NO_ORGANISATION = "This account belongs to no partner organisation; ask an administrator."
ORGANISATION_INACTIVE = (
    "Your organisation is no longer an active partner; its referrals are closed to it."
)


@dataclass(frozen=True)
class SharedView:
    """A referral as its organisation sees it: only what the person agreed to share."""

    referral: Referral
    shared: dict[str, str | None]


def shared_fields(referral: Referral) -> list[str]:
    fields = (referral.shared_fields or {}).get("fields", [])
    # "name" is what referrals made before December 2026 called the first name.
    names = ["first_name" if f == "name" else f for f in fields if isinstance(f, str)]
    return [f for f in SHARED_ORDER if f in names]


SHARED_ORDER = ("first_name", "language", "need", "contact_channel", "phone", "region")


def shared_view(referral: Referral, person: Person) -> SharedView:
    """Only the fields the person agreed to share for this referral, nothing else of them."""
    words = (person.display_name or "").split()
    source = {
        "first_name": words[0] if words else None,
        "language": person.language,
        "need": referral.note or referral.kind,
        "contact_channel": (referral.shared_fields or {}).get("contact_channel"),
        "phone": person.phone_e164,
        "region": person.region,
    }
    return SharedView(referral, {name: source.get(name) for name in shared_fields(referral)})


def partner_organisation(session: Session, user: User) -> Organisation | None:
    """The organisation an NGO user works for, checked on every partner request: a
    deactivated or missing organisation reads and changes nothing (NotAllowed).
    None for an admin, who sees every organisation's referrals."""
    if user.role == Role.admin:
        return None
    if user.role != Role.ngo:
        raise NotAllowed(PARTNERS_ONLY)
    organisation_id = user.organisation_id
    organisation = (
        session.get(Organisation, organisation_id)
        if organisation_id is not None and 1 <= organisation_id <= MAX_ID
        else None
    )
    if organisation is None:
        raise NotAllowed(NO_ORGANISATION)
    if not organisation.is_active:
        raise NotAllowed(ORGANISATION_INACTIVE)
    return organisation


def referrals_for(
    session: Session, user: User, *, after: int | None, limit: int, status: str | None
) -> list[SharedView]:
    """An NGO user's referrals (their organisation's only); admins see all."""
    partner_organisation(session, user)
    query = select(Referral, Person).join(Person, col(Person.id) == Referral.person_id)
    query = query.where(col(Referral.status).in_(VISIBLE_TO_PARTNERS))
    if user.role != Role.admin:
        query = query.where(Referral.organisation_id == user.organisation_id)
    if after is not None:
        query = query.where(col(Referral.id) > after)
    if status is not None:
        query = query.where(Referral.status == status)
    rows = session.exec(query.order_by(col(Referral.id)).limit(limit)).all()
    return [shared_view(referral, person) for referral, person in rows]


def referral_for(session: Session, user: User, referral_id: int) -> Referral | None:
    partner_organisation(session, user)
    referral = session.get(Referral, referral_id) if 1 <= referral_id <= MAX_ID else None
    if referral is None or referral.status not in VISIBLE_TO_PARTNERS:
        return None  # a proposal the person has not agreed to yet is nobody's business
    if user.role != Role.admin and referral.organisation_id != user.organisation_id:
        return None  # another organisation's referral answers like a missing one
    return referral


def change_status(
    session: Session,
    settings: Settings,
    referral: Referral,
    new: str,
    *,
    actor: User,
    reason: str | None,
    now: datetime,
) -> Referral:
    """A partner accepts, declines (with a reason), starts or completes a referral; an
    admin may also cancel one. The person hears of accept, decline and completion; a
    decline opens a low escalation so the officer can look for another partner."""
    allowed = ADMIN_MAY_SET if actor.role == Role.admin else PARTNER_MAY_SET
    try:
        target = ReferralStatus(new)
    except ValueError:
        target = None
    if target is None or target not in allowed:
        raise InvalidInput("status", f"must be one of: {', '.join(sorted(allowed))}")
    if referral.status == target:
        return referral  # a repeated click changes nothing and tells no one twice
    move_referral(
        session,
        referral,
        target,
        actor_kind="admin" if actor.role == Role.admin else "partner",
        actor_user_id=actor.id,
        reason=reason,
        now=now,
    )
    if target == S.declined:
        organisation = session.get(Organisation, referral.organisation_id)
        open_escalation(
            session,
            settings,
            person_id=referral.person_id,
            reason=DECLINED_REASON,
            severity="low",
            now=now,
            detail=f"referral {referral.id} ({referral.kind}) declined by "
            f"{organisation.name if organisation else '?'}; consider another partner",
        )
    if target == S.cancelled:
        notify_partner(session, settings, referral, CANCELLED, now=now)
    if target in TOLD_TO_PERSON:
        _tell_person(session, settings, referral, now)
    return referral


def move_for(
    session: Session,
    settings: Settings,
    user: User,
    referral_id: int,
    new: str,
    *,
    reason: str | None,
    now: datetime,
) -> SharedView | None:
    """A partner's (or an admin's) move of a referral they may see; None when they may
    not see it (answered like a missing one). The API and the panel both move here."""
    referral = referral_for(session, user, referral_id)
    if referral is None:
        return None
    person = session.get(Person, referral.person_id)
    assert person is not None
    ensure_not_erased(person)  # an erased person can no longer be told anything
    change_status(session, settings, referral, new, actor=user, reason=reason, now=now)
    return shared_view(referral, person)


def _tell_person(session: Session, settings: Settings, referral: Referral, now: datetime) -> None:
    person = session.get(Person, referral.person_id)
    organisation = session.get(Organisation, referral.organisation_id)
    if person is None or organisation is None:
        return
    info = ReferralInfo(
        id=referral.id,  # type: ignore[arg-type]
        kind=referral.kind,
        organisation_name=organisation.name,
        status=str(referral.status),
    )
    start_conversation(
        session,
        settings,
        person,
        lambda ctx: flows.start_referral_update(ctx, info),
        now=now,
        kind="referral",
    )
