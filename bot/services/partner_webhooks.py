"""An organisation's webhook secret and the record of deliveries, for administrators."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core import audit
from bot.models import Organisation, User, WebhookAttempt, WebhookDelivery
from bot.partner_webhooks.signing import new_secret
from bot.services import InvalidInput
from bot.services.persons import MAX_ID

# Attempts listed with each delivery: the latest ones say what is wrong now.
ATTEMPTS_SHOWN = 10


def get_organisation(session: Session, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id) if 1 <= organisation_id <= MAX_ID else None


def rotate_secret(
    session: Session, organisation: Organisation, *, actor: User, now: datetime
) -> str:
    """A new signing secret, replacing the old one at once; returned to be shown once.
    Events already queued are signed with the new secret when they are posted."""
    if not organisation.webhook_url:
        raise InvalidInput("webhook_url", "set the organisation's webhook URL first")
    secret = new_secret()
    organisation.webhook_secret = secret
    organisation.updated_at = now
    session.add(organisation)
    audit.record(
        session,
        action="organisation.webhook_secret",
        entity_type="organisation",
        entity_id=organisation.id,
        actor_user_id=actor.id,
        detail={"rotated": True},
    )
    return secret


def deliveries_page(
    session: Session, organisation_id: int, *, before: int | None, limit: int
) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """Newest first, keyset on id; each with its latest attempts, in one more query."""
    query = select(WebhookDelivery).where(WebhookDelivery.organisation_id == organisation_id)
    if before is not None:
        query = query.where(col(WebhookDelivery.id) < before)
    deliveries = list(session.exec(query.order_by(col(WebhookDelivery.id).desc()).limit(limit)))
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}  # type: ignore[misc]
    if deliveries:
        rows = session.exec(
            select(WebhookAttempt)
            .where(col(WebhookAttempt.delivery_id).in_(list(attempts)))
            .order_by(col(WebhookAttempt.id).desc())
        )
        for attempt in rows:
            shown = attempts[attempt.delivery_id]
            if len(shown) < ATTEMPTS_SHOWN:
                shown.append(attempt)
    return [(d, attempts[d.id]) for d in deliveries]  # type: ignore[index]
