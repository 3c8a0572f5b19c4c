"""Partner organisations (NGOs) and the opportunities they offer."""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import OpportunityStatus


class OrganisationBase(SQLModel):
    name: str = Field(max_length=200)
    # employment | housing | counselling_religious | counselling_psychological | other
    kind: str = Field(max_length=40, index=True)
    region: str | None = Field(default=None, max_length=64, index=True)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=32)
    webhook_url: str | None = Field(default=None, max_length=500)
    is_active: bool = True


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    webhook_secret: str | None = Field(default=None, max_length=128)
    created_at: datetime = created_at_field()


class OpportunityBase(SQLModel):
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=200)
    field: str = Field(max_length=64, index=True)
    region: str | None = Field(default=None, max_length=64, index=True)
    description: str = Field(default="", max_length=2000)
    status: OpportunityStatus = Field(
        sa_type=String(16), default=OpportunityStatus.open, max_length=16, index=True
    )


class Opportunity(OpportunityBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    closes_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
