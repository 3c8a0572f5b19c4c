"""A referral's life, as one transition table: proposed → sent → accepted | declined →
in_progress → completed | cancelled.

`move_referral` is the only way a referral changes status. It checks the table (Conflict,
answered 409, otherwise), asks for a reason on a decline or a cancellation, stamps the
times, and records who moved it and why (a `ReferralEvent` for the timeline and the
partner's history, and an audit event). It only adds to the session: telling the person,
the partner or the officer is the caller's business, after it decides to commit.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from bot.core import audit
from bot.models import Referral, ReferralEvent
from bot.models.enums import ReferralStatus
from bot.services import Conflict, InvalidInput

log = logging.getLogger(__name__)

S = ReferralStatus
ActorKind = Literal["person", "officer", "partner", "admin", "system"]

TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    # Proposed by an officer: the person's yes sends it, their no (or the officer)
    # cancels it. Partners never see a proposed referral.
    S.proposed: frozenset({S.sent, S.cancelled}),
    S.sent: frozenset({S.accepted, S.declined, S.cancelled}),
    # A partner may close a quick case (a counselling call) straight from accepted.
    S.accepted: frozenset({S.in_progress, S.completed, S.cancelled}),
    S.in_progress: frozenset({S.completed, S.cancelled}),
    S.declined: frozenset(),
    S.completed: frozenset(),
    S.cancelled: frozenset(),
}
NEEDS_REASON = frozenset({S.declined, S.cancelled})
OPEN = frozenset({S.proposed, S.sent, S.accepted, S.in_progress})
# What partners may see: everything the person agreed to send them.
VISIBLE_TO_PARTNERS = frozenset(set(S) - {S.proposed})
REASON_CHARS = 500
# The escalation reason when a referral reaches no partner and the officer must find another.
DECLINED_REASON = "referral_declined"


def move_referral(
    session: Session,
    referral: Referral,
    target: ReferralStatus,
    *,
    actor_kind: ActorKind,
    actor_user_id: int | None,
    reason: str | None,
    now: datetime,
) -> ReferralEvent:
    current = ReferralStatus(referral.status)
    reason = (reason or "").strip()[:REASON_CHARS] or None
    match (current, target):
        case (old, new) if new not in TRANSITIONS[old]:
            log.warning(
                "referral transition refused",
                extra={"referral_id": referral.id, "from": old.value, "to": new.value},
            )
            raise Conflict(f"a referral that is {old.value} cannot become {new.value}")
        case (_, new) if new in NEEDS_REASON and reason is None:
            raise InvalidInput("reason", f"say why the referral is {new.value}")
    referral.status = target
    referral.updated_at = now
    if actor_user_id is not None:
        referral.decided_by_id = actor_user_id
    if target in NEEDS_REASON:
        referral.reason = reason
    match target:
        case S.sent:
            referral.sent_at = now
        case S.accepted:
            referral.accepted_at = now
        case S.declined | S.completed | S.cancelled:
            referral.closed_at = now
    session.add(referral)
    event = ReferralEvent(
        referral_id=referral.id,  # type: ignore[arg-type]
        from_status=current.value,
        to_status=target.value,
        actor_kind=actor_kind,
        actor_user_id=actor_user_id,
        reason=reason,
        created_at=now,
    )
    session.add(event)
    audit.record(
        session,
        action="referral.status",
        entity_type="referral",
        entity_id=referral.id,
        person_id=referral.person_id,
        actor_user_id=actor_user_id,
        actor_kind="user" if actor_user_id is not None else actor_kind,
        detail={"from": current.value, "to": target.value},
    )
    return event


def record_creation(
    session: Session,
    referral: Referral,
    *,
    actor_kind: ActorKind,
    actor_user_id: int | None,
    now: datetime,
) -> ReferralEvent:
    """The first event of a new (flushed) referral: from nothing to its first status."""
    assert referral.id is not None, "flush the referral first"
    status = ReferralStatus(referral.status)
    if status == S.sent:
        referral.sent_at = now
    event = ReferralEvent(
        referral_id=referral.id,
        from_status=None,
        to_status=status.value,
        actor_kind=actor_kind,
        actor_user_id=actor_user_id,
        created_at=now,
    )
    session.add(event)
    return event


def history(session: Session, referral_id: int) -> list[ReferralEvent]:
    return list(
        session.exec(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral_id)
            .order_by(col(ReferralEvent.created_at), col(ReferralEvent.id))
        )
    )
