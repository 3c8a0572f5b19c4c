"""Test rows for partners: a person, an organisation with a webhook, and a referral between
them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.core.db import session_scope
from bot.models import Organisation, Referral
from bot.models.enums import ReferralStatus
from tests.factories import make_enrolled

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SECRET = "whsec_test-secret-of-the-partner"


@dataclass(frozen=True)
class Partnered:
    person_id: int
    organisation_id: int
    referral_id: int


def make_partnered(
    engine: Engine,
    *,
    webhook_url: str | None,
    contact_email: str | None = "intake@partner.example",
    secret: str | None = SECRET,
    status: ReferralStatus = ReferralStatus.sent,
) -> Partnered:
    person, _ = make_enrolled(engine, display_name="Gulnara Secretname", phone_e164="+77011234567")
    with session_scope(engine) as session:
        organisation = Organisation(
            name="Umit Centre",
            services=["employment"],
            regions=["Karaganda"],
            languages=["kk", "ru"],
            contact_email=contact_email,
            webhook_url=webhook_url,
            webhook_secret=secret if webhook_url else None,
        )
        session.add(organisation)
        session.flush()
        referral = Referral(
            person_id=person.id,
            organisation_id=organisation.id,
            kind="employment",
            status=status,
            note="job counselling; construction",
            shared_fields={"fields": ["first_name", "language"]},
            sent_at=T0,
            created_at=T0,
            updated_at=T0,
        )
        session.add(referral)
        session.flush()
        return Partnered(person.id, organisation.id, referral.id)  # type: ignore[arg-type]
