"""Single-use invitation codes that link a channel identity to a person."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, required_timestamp_field, timestamp_field


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    code: str = Field(max_length=64, unique=True, index=True)
    channel: str | None = Field(default=None, max_length=16)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime = required_timestamp_field()
    used_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class InvitePublic(SQLModel):
    code: str
    expires_at: datetime
    channel: str | None = None
    telegram_link: str | None = None
