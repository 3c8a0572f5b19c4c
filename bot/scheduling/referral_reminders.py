"""Referrals a partner has not taken up: remind the organisation once, then tell the
officer, so nobody waits on a partner that never answers.

Both steps key on indexed columns (status + sent_at, then the reminder time) and mark the
row in the same transaction, so a referral is reminded once and its officer told once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.settings import Settings
from bot.models import Organisation, Referral
from bot.models.enums import ReferralStatus, Severity
from bot.pipeline.escalations import open_escalation
from bot.scheduling.sweep import SweepSummary, sweep_in_batches
from bot.services.partner_notices import REMINDER, notify_partner

BATCH = 200
NOT_ACCEPTED_REASON = "referral_not_accepted"


def remind_unaccepted_referrals(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    wait = timedelta(days=settings.referral_accept_days)
    summary = SweepSummary("remind_unaccepted_referrals")

    def partners_due() -> SelectOfScalar[Referral]:
        return (
            select(Referral)
            .where(
                Referral.status == ReferralStatus.sent,
                col(Referral.sent_at) <= now - wait,
                col(Referral.partner_reminded_at).is_(None),
            )
            .order_by(col(Referral.sent_at), col(Referral.id))
        )

    def remind(session: Session, referral: Referral) -> bool:
        referral.partner_reminded_at = now
        session.add(referral)
        return bool(notify_partner(session, settings, referral, REMINDER, now=now))

    def officers_due() -> SelectOfScalar[Referral]:
        return (
            select(Referral)
            .where(
                Referral.status == ReferralStatus.sent,
                col(Referral.partner_reminded_at) <= now - wait,
                col(Referral.officer_told_at).is_(None),
            )
            .order_by(col(Referral.partner_reminded_at), col(Referral.id))
        )

    def tell_officer(session: Session, referral: Referral) -> bool:
        referral.officer_told_at = now
        session.add(referral)
        organisation = session.get(Organisation, referral.organisation_id)
        name = organisation.name if organisation is not None else "?"
        days = (now - referral.sent_at).days if referral.sent_at else settings.referral_accept_days
        open_escalation(
            session,
            settings,
            person_id=referral.person_id,
            reason=NOT_ACCEPTED_REASON,
            severity=Severity.low,
            now=now,
            detail=f"referral {referral.id} ({referral.kind}) to {name} not accepted after "
            f"{days} days; consider another partner",
        )
        return True

    sweep_in_batches(engine, summary, partners_due, remind, batch=BATCH)
    sweep_in_batches(engine, summary, officers_due, tell_officer, batch=BATCH)
    return summary
