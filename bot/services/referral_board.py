"""Referrals by status, as the panel's board shows them: a partner's own organisation's
(only the shared fields) or an officer's caseload's (linking to each case). Each column
is one bounded query; a column continues by keyset."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.models import Organisation, Person, Referral, User
from bot.models.enums import ReferralStatus, Role
from bot.services import referrals as referral_service
from bot.services.persons import scope_clause
from bot.services.referral_lifecycle import TRANSITIONS

S = ReferralStatus
PARTNER_COLUMNS = (S.sent, S.accepted, S.in_progress, S.completed, S.declined, S.cancelled)
CASELOAD_COLUMNS = (S.proposed, *PARTNER_COLUMNS)
PER_COLUMN = 30


@dataclass(frozen=True)
class CaseloadCard:
    referral: Referral
    display_name: str
    organisation_name: str


def partner_column(
    session: Session, user: User, status: ReferralStatus, *, after: int | None, limit: int
) -> tuple[list[referral_service.SharedView], int | None]:
    views = referral_service.referrals_for(
        session, user, after=after, limit=limit + 1, status=status
    )
    page = views[:limit]
    return page, page[-1].referral.id if len(views) > limit and page else None


def caseload_column(
    session: Session, user: User, status: ReferralStatus, *, after: int | None, limit: int
) -> tuple[list[CaseloadCard], int | None]:
    query = (
        select(Referral, Person.display_name, Organisation.name)
        .join(Person, col(Person.id) == col(Referral.person_id))
        .join(Organisation, col(Organisation.id) == col(Referral.organisation_id))
        .where(Referral.status == status)
    )
    clause = scope_clause(user)
    if clause is not None:
        query = query.where(clause)
    if after is not None:
        query = query.where(col(Referral.id) > after)
    rows = session.exec(query.order_by(col(Referral.id)).limit(limit + 1)).all()
    cards = [CaseloadCard(r, name, org) for r, name, org in rows[:limit]]
    return cards, cards[-1].referral.id if len(rows) > limit and cards else None


def next_moves(referral: Referral, user: User) -> list[str]:
    """The moves this user may make from the referral's status, in lifecycle order."""
    allowed = (
        referral_service.ADMIN_MAY_SET
        if user.role == Role.admin
        else referral_service.PARTNER_MAY_SET
    )
    possible = TRANSITIONS[ReferralStatus(referral.status)] & allowed
    return [s.value for s in PARTNER_COLUMNS if s in possible]
