"""Partner organisations (NGOs) and the opportunities they offer.

Services, regions and languages are short lists kept as JSON: a deployment has hundreds
of partners, not millions, and the directory the bot reads is loaded once per process
and filtered in memory (see `bot.pipeline.directory`).
"""

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, json_field, json_list_field, timestamp_field
from bot.models.enums import OpportunityStatus


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Values of `Service`; an organisation offers one or more.
    services: list[str] = json_list_field()
    # Region names it serves; empty means every region.
    regions: list[str] = json_list_field()
    # Languages its staff speak with people (ru, kk, en); empty means not stated.
    languages: list[str] = json_list_field()
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=32)
    # Shown to a person only once they agreed to be referred there.
    address: str | None = Field(default=None, max_length=300)
    opening_hours: str | None = Field(default=None, max_length=200)
    is_active: bool = True
    webhook_url: str | None = Field(default=None, max_length=500)
    webhook_secret: str | None = Field(default=None, max_length=128)
    # Set when the partner's receiver answered 410 Gone: no more deliveries until an
    # admin sets the URL again.
    webhook_disabled_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class Opportunity(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # A value of `Service`: employment for a job, housing for a room, and so on.
    kind: str = Field(max_length=40, index=True)
    # For a job, its field of work (construction, logistics, ...); "" otherwise.
    field: str = Field(default="", max_length=64, index=True)
    region: str | None = Field(default=None, max_length=64, index=True)
    # {"ru": "...", "kk": "...", "en": "..."}: a person sees the text in their language
    # or not at all (an English title inside a Kazakh chat helps no one).
    title: dict = json_field()
    description: dict = json_field()
    how_to_apply: dict = json_field()
    # Places offered; None means no limit. Full once that many referrals to it are
    # accepted or under way.
    capacity: int | None = Field(default=None, ge=1)
    status: OpportunityStatus = Field(
        sa_type=String(16), default=OpportunityStatus.open, max_length=16, index=True
    )
    closes_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
