"""Referrals seen from the partner's side: what an organisation may read, and how a
referral's status moves. The person hears of every decision in one short message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

import flows
from bot.core import audit
from bot.core.settings import Settings
from bot.models import Organisation, Person, Referral, User
from bot.models.enums import ReferralStatus, Role
from bot.pipeline.outreach import start_conversation
from bot.services import Conflict, InvalidInput, NotAllowed
from bot.services.persons import MAX_ID
from flows.types import ReferralInfo

log = logging.getLogger(__name__)

S = ReferralStatus
# Every move a referral may make. Anything else is refused with 409 and logged.
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.proposed: frozenset({S.sent, S.accepted, S.declined, S.cancelled}),
    S.sent: frozenset({S.accepted, S.declined, S.cancelled}),
    S.accepted: frozenset({S.in_progress, S.completed, S.declined, S.cancelled}),
    S.in_progress: frozenset({S.completed, S.cancelled}),
    S.declined: frozenset(),
    S.completed: frozenset(),
    S.cancelled: frozenset(),
}
# What the person is told about; `sent` is bookkeeping, `cancelled` comes from our side.
TOLD_TO_PERSON = frozenset({S.accepted, S.declined, S.completed})
PARTNER_MAY_SET = frozenset({S.accepted, S.declined, S.completed})

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
    return [f for f in fields if isinstance(f, str)]


def shared_view(referral: Referral, person: Person) -> SharedView:
    source = {
        "name": person.display_name,
        "phone": person.phone_e164,
        "language": person.language,
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
    if referral is None:
        return None
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
    note: str | None,
    now: datetime,
) -> Referral:
    try:
        target = ReferralStatus(new)
    except ValueError:
        raise InvalidInput(
            "status", f"must be one of: {', '.join(sorted(PARTNER_MAY_SET))}"
        ) from None
    if actor.role != Role.admin and target not in PARTNER_MAY_SET:
        raise InvalidInput("status", f"must be one of: {', '.join(sorted(PARTNER_MAY_SET))}")
    current = ReferralStatus(referral.status)
    match (current, target):
        case (old, wanted) if old == wanted:
            return referral  # a repeated click changes nothing and tells no one twice
        case (old, wanted) if wanted not in TRANSITIONS[old]:
            log.warning(
                "referral transition refused",
                extra={"referral_id": referral.id, "from": old.value, "to": wanted.value},
            )
            raise Conflict(f"a referral that is {old.value} cannot become {wanted.value}")
    referral.status = target
    referral.updated_at = now
    if note is not None:
        referral.note = note[:1000]
    session.add(referral)
    audit.record(
        session,
        action="referral.status",
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        actor_user_id=actor.id,
        detail={"from": current.value, "to": target.value},
    )
    if target in TOLD_TO_PERSON:
        _tell_person(session, settings, referral, now)
    return referral


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
