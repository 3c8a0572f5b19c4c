"""A person's address on one channel: a Telegram chat, a phone number, a simulator id."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field


class ChannelIdentity(SQLModel, table=True):
    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_channel_identity_address"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=128)
    blocked: bool = False  # the person blocked the bot (Telegram)
    opted_out: bool = False  # the person sent STOP (SMS)
    last_seen_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()

    @property
    def reachable(self) -> bool:
        return not (self.blocked or self.opted_out)
