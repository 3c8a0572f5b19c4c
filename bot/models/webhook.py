"""Events pushed to a partner's webhook, and every attempt to deliver them."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from bot.models.base import created_at_field, timestamp_field
from bot.models.enums import DeliveryStatus


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The retry sweep: pending deliveries by when they are due.
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_org_id", "organisation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    # referral.created | referral.cancelled | referral.reminder
    event: str = Field(max_length=40)
    # Unique per event, in the body too: a receiver that sees it twice ignores it.
    event_id: str = Field(max_length=36, unique=True)
    # The exact bytes signed and sent: no personal data, only ids and a link.
    body: str = Field(sa_type=Text())
    status: DeliveryStatus = Field(
        sa_type=String(16), default=DeliveryStatus.pending, max_length=16
    )
    attempts: int = 0
    next_attempt_at: datetime | None = timestamp_field()
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = created_at_field()
    delivered_at: datetime | None = timestamp_field()


class WebhookAttempt(SQLModel, table=True):
    """One try: when, what came back, how long it took. Visible to admins."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    attempted_at: datetime = created_at_field()
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=200)
    duration_ms: int = 0
