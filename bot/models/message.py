"""Every message in and out. Queued outbound rows are the outbox."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint, insert_sentinel
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import Direction, MessageStatus
from bot.models.lean import lean_constructor


class Message(SQLModel, table=True):
    __table_args__ = (
        # Providers deliver at least once; this makes the second delivery a no-op.
        UniqueConstraint("channel", "provider_message_id", name="uq_message_provider_id"),
        # The dispatcher's claim: queued rows whose next attempt is due.
        Index("ix_message_status_next_attempt_at", "status", "next_attempt_at"),
        # A conversation on one address, in order (simulator page, pressed-button labels).
        Index("ix_message_channel_address_id", "channel", "address", "id"),
        # The timeline pages a person's messages by time.
        Index("ix_message_person_id_created_at", "person_id", "created_at"),
        # Lets SQLite insert many rows in one statement and still tell which new id is
        # whose (its RETURNING order is not guaranteed): a message and its replies, a
        # batch's messages, are one INSERT instead of one each. A row's number within
        # its statement, nothing more; PostgreSQL needs none but it costs nothing there.
        insert_sentinel("insert_sentinel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    direction: Direction = Field(sa_type=String(16), max_length=3)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=128)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    identity_id: int | None = Field(default=None, foreign_key="channel_identity.id")
    kind: str = Field(default="text", max_length=24)  # text | choice | photo | checkin | ...
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    choices: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    choice_id: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=8)
    status: MessageStatus = Field(sa_type=String(16), max_length=16)
    provider_message_id: str | None = Field(default=None, max_length=128)
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp_field()
    claimed_at: datetime | None = timestamp_field()
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()
    delivered_at: datetime | None = timestamp_field()
    # Staff traffic: an officer's own words to a person (kind "officer") name their author;
    # an alert to staff (kinds "staff_alert", "staff_digest") names its recipient and the
    # escalation it is about. Person messages leave all three empty.
    sender_user_id: int | None = Field(default=None, foreign_key="user.id")
    recipient_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)


# `Message(**values)` for the inbound path's rows, built in a third of the time
# (bot/models/lean.py).
new_message = lean_constructor(Message)
