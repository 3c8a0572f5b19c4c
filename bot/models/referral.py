"""A person's referral to a partner organisation, with what they agreed to share, and
the record of every move it made."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, json_field, timestamp_field
from bot.models.enums import ReferralStatus


class Referral(SQLModel, table=True):
    __table_args__ = (
        # The not-accepted reminder sweep: sent referrals by age.
        Index("ix_referral_status_sent_at", "status", "sent_at"),
        # The programme report: referrals made in a period.
        Index("ix_referral_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    opportunity_id: int | None = Field(default=None, foreign_key="opportunity.id", index=True)
    kind: str = Field(max_length=40)  # a value of `Service`
    status: ReferralStatus = Field(
        sa_type=String(16), default=ReferralStatus.proposed, max_length=16, index=True
    )
    # The fields the person consented to share with this organisation, {"fields": [...]}.
    shared_fields: dict = json_field()
    consent_at: datetime | None = timestamp_field()
    # What the need is, in plain data the partner may read (never the person's words).
    note: str | None = Field(default=None, max_length=1000)
    # Why it was declined or cancelled, and by whom the last move was made.
    reason: str | None = Field(default=None, max_length=500)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    helpful_rating: int | None = Field(default=None, ge=1, le=5)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    sent_at: datetime | None = timestamp_field()
    accepted_at: datetime | None = timestamp_field()
    closed_at: datetime | None = timestamp_field()
    # The partner was reminded once; then the officer was told (each at most once).
    partner_reminded_at: datetime | None = timestamp_field()
    officer_told_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ReferralEvent(SQLModel, table=True):
    """One move of a referral: from, to, who and why. The officer's timeline and the
    partner's history read these."""

    __tablename__ = "referral_event"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    # person | officer | partner | admin | system
    actor_kind: str = Field(max_length=16)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
