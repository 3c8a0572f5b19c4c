"""Telling a partner organisation that a referral waits for it, was cancelled, or still
waits: an e-mail to its contact and, when it set one up, a signed webhook event.

A service: it only adds rows to the caller's session (an outbox e-mail, a webhook
delivery). Nothing leaves before the caller commits; the dispatcher sends the e-mail and
the webhook sweep posts the event. Neither carries personal data: the partner follows the
link and signs in to read what the person agreed to share.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlmodel import Session

from bot.core.settings import Settings
from bot.models import Message, Organisation, Referral, WebhookDelivery
from bot.models.enums import DeliveryStatus, Direction, MessageStatus
from flows.i18n import has_catalog, translate

CREATED = "referral.created"
CANCELLED = "referral.cancelled"
REMINDER = "referral.reminder"
EVENTS = (CREATED, CANCELLED, REMINDER)
PARTNER_NOTICE_KIND = "partner_notice"
# Mails go in the organisation's first stated language; Russian is what every partner
# in the first deployment reads when it stated none.
FALLBACK_LANGUAGE = "ru"
REFERRALS_PATH = "/api/v1/referrals"


BOARD_PATH = "/panel/referrals"


def referral_link(settings: Settings, referral_id: int) -> str:
    """Where a receiver's program reads the referral (the API, with a partner's token)."""
    return f"{settings.public_base_url.rstrip('/')}{REFERRALS_PATH}/{referral_id}"


def board_link(settings: Settings, referral_id: int) -> str:
    """Where a coordinator reading the e-mail opens it: its page in the panel."""
    return f"{settings.public_base_url.rstrip('/')}{BOARD_PATH}/{referral_id}"


def event_body(referral: Referral, event: str, *, event_id: str, now: datetime, link: str) -> str:
    """The exact JSON a partner's receiver gets: ids, kind, status and a link, no person."""
    payload = {
        "id": event_id,
        "type": event,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "organisation_id": referral.organisation_id,
        "referral": {
            "id": referral.id,
            "kind": referral.kind,
            "status": str(referral.status),
            "url": link,
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def mail_language(organisation: Organisation) -> str:
    for language in organisation.languages or []:
        if has_catalog(language):
            return language
    return FALLBACK_LANGUAGE


def mail_text(event: str, language: str, link: str) -> str:
    """Subject on the first line, then the body; the catalog keys are `partner.*`."""
    key = "partner." + event.removeprefix("referral.")
    return "\n".join(
        (
            translate(f"{key}.subject", language),
            translate(f"{key}.body", language),
            link,
        )
    )


def webhook_ready(organisation: Organisation) -> bool:
    return bool(
        organisation.webhook_url
        and organisation.webhook_secret
        and organisation.webhook_disabled_at is None
    )


def notify_partner(
    session: Session, settings: Settings, referral: Referral, event: str, *, now: datetime
) -> list[str]:
    """Queue the partner's e-mail and webhook event for `event`; returns the ways queued
    ("email", "webhook"), empty when the organisation can be reached by neither."""
    if event not in EVENTS:
        raise ValueError(f"unknown partner event {event!r}")
    organisation = session.get(Organisation, referral.organisation_id)
    if organisation is None or not organisation.is_active:
        return []
    assert referral.id is not None, "flush the referral before telling its partner"
    link = referral_link(settings, referral.id)
    ways = []
    if settings.email_enabled and organisation.contact_email:
        language = mail_language(organisation)
        session.add(
            Message(
                direction=Direction.outbound,
                channel="email",
                address=organisation.contact_email,
                kind=PARTNER_NOTICE_KIND,
                body=mail_text(event, language, board_link(settings, referral.id)),
                language=language,
                status=MessageStatus.queued,
                next_attempt_at=now,
                created_at=now,
            )
        )
        ways.append("email")
    if webhook_ready(organisation):
        event_id = str(uuid.uuid4())
        session.add(
            WebhookDelivery(
                organisation_id=organisation.id,  # type: ignore[arg-type]
                referral_id=referral.id,
                event=event,
                event_id=event_id,
                body=event_body(referral, event, event_id=event_id, now=now, link=link),
                status=DeliveryStatus.pending,
                next_attempt_at=now,
                created_at=now,
            )
        )
        ways.append("webhook")
    return ways
