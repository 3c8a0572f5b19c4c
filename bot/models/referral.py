"""A person's referral to a partner organisation, with what they agreed to share."""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, json_field, timestamp_field
from bot.models.enums import ReferralStatus


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    opportunity_id: int | None = Field(default=None, foreign_key="opportunity.id")
    kind: str = Field(max_length=40)  # employment | housing | counselling | ...
    status: ReferralStatus = Field(
        sa_type=String(16), default=ReferralStatus.proposed, max_length=16, index=True
    )
    # The fields the person consented to share with this organisation, e.g. ["name", "phone"].
    shared_fields: dict = json_field()
    consent_at: datetime | None = timestamp_field()
    note: str | None = Field(default=None, max_length=1000)
    helpful_rating: int | None = Field(default=None, ge=1, le=5)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
