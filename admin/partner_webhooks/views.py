"""Administrators and an organisation's webhook: rotate its signing secret (shown once)
and read every delivery and attempt, to help a partner whose receiver fails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlmodel import SQLModel

from admin.access import CurrentUser, allow
from admin.lookup import service_errors
from admin.persons.schemas import UtcDatetime
from admin.validation import Cursor, DbId
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep
from bot.models.enums import Role
from bot.partner_webhooks import signing
from bot.services import partner_webhooks as service

router = APIRouter(prefix="/organisations", tags=["organisations"])

NOT_FOUND = "Organisation not found."


class WebhookSecret(SQLModel):
    organisation_id: int
    secret: str
    # Where the receiver finds the proof, and how it is made.
    timestamp_header: str = signing.TIMESTAMP_HEADER
    signature_header: str = signing.SIGNATURE_HEADER
    scheme: str = "HMAC-SHA256 over '<timestamp>.<body>', hex, prefixed 'sha256='"
    note: str = "Shown once: store it in the receiver's configuration now."


class AttemptOut(SQLModel):
    attempted_at: UtcDatetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(SQLModel):
    id: int
    event: str
    event_id: str
    referral_id: int | None
    status: str
    attempts: int
    next_attempt_at: UtcDatetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: UtcDatetime
    delivered_at: UtcDatetime | None
    recent_attempts: list[AttemptOut]


class DeliveriesPage(SQLModel):
    items: list[DeliveryOut]
    webhook_disabled_at: UtcDatetime | None
    next_before: int | None


@router.post(
    "/{organisation_id}/webhook-secret",
    response_model=WebhookSecret,
    **allow(Role.admin),
)
def rotate_webhook_secret(
    organisation_id: DbId, user: CurrentUser, session: SessionDep
) -> WebhookSecret:
    """A new signing secret for the organisation's webhook; the old one stops at once."""
    organisation = service.get_organisation(session, organisation_id)
    if organisation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    with service_errors():
        secret = service.rotate_secret(session, organisation, actor=user, now=utcnow())
    session.commit()
    return WebhookSecret(organisation_id=organisation_id, secret=secret)


@router.get("/{organisation_id}/deliveries", response_model=DeliveriesPage, **allow(Role.admin))
def list_deliveries(
    organisation_id: DbId,
    user: CurrentUser,
    session: SessionDep,
    before: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveriesPage:
    """Every webhook event for the organisation, newest first, with its latest attempts."""
    organisation = service.get_organisation(session, organisation_id)
    if organisation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    rows = service.deliveries_page(session, organisation_id, before=before, limit=limit + 1)
    page = rows[:limit]
    audit.record(
        session,
        action="organisation.deliveries",
        entity_type="organisation",
        entity_id=organisation_id,
        actor_user_id=user.id,
    )
    session.commit()
    return DeliveriesPage(
        items=[
            DeliveryOut(
                id=d.id,  # type: ignore[arg-type]
                event=d.event,
                event_id=d.event_id,
                referral_id=d.referral_id,
                status=str(d.status),
                attempts=d.attempts,
                next_attempt_at=d.next_attempt_at,
                last_status_code=d.last_status_code,
                last_error=d.last_error,
                created_at=d.created_at,
                delivered_at=d.delivered_at,
                recent_attempts=[AttemptOut.model_validate(a, from_attributes=True) for a in a_],
            )
            for d, a_ in page
        ],
        webhook_disabled_at=organisation.webhook_disabled_at,
        next_before=page[-1][0].id if len(rows) > limit else None,
    )
