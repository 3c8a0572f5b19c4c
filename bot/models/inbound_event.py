"""What a provider delivered, stored as it came before anything is done with it.

The webhook proves the provider, stores the event under its provider id and answers; the
processor (bot/intake/processor.py) runs the flows on it later, one person's events in
order. Once processed, the payload (which holds what the person wrote) is cleared; the
row stays a few days so a late re-delivery is still recognised, then it is deleted.
"""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.models.base import required_timestamp_field, timestamp_field


class InboundEvent(SQLModel, table=True):
    __tablename__ = "inbound_event"
    __table_args__ = (
        # Providers deliver at least once: the second delivery of an id is not stored.
        UniqueConstraint("channel", "provider_event_id", name="uq_inbound_event_provider_id"),
        # The processor's claim reads the oldest pending events; both indexes cover only
        # those, so they stay small however many events were ever received.
        Index(
            "ix_inbound_event_pending",
            "id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
        # One sender's pending events, in order: the processor never takes a later one
        # while an earlier one is held elsewhere.
        Index(
            "ix_inbound_event_pending_lane",
            "lane",
            "id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
        # The prune sweep deletes processed rows by age.
        Index("ix_inbound_event_processed_at", "processed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    provider_event_id: str = Field(max_length=128)
    # The sender on that channel ("telegram:<chat id>", "sms:<E.164>"): events of one lane
    # are processed strictly in order and never two at once.
    lane: str = Field(max_length=160)
    payload: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    received_at: datetime = required_timestamp_field()
    processed_at: datetime | None = timestamp_field()
    # What processing made of it: message, duplicate, member, staff, ignored, failed.
    outcome: str | None = Field(default=None, max_length=16)
