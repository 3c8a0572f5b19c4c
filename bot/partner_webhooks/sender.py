"""The webhook sweep: post due deliveries to partners, record every attempt, retry with
backoff for a day, and stop for good when the partner answers 410 Gone.

A delivery is claimed in one short transaction (its next attempt pushed a lease ahead, so
another worker skips it), posted with no transaction open, and its outcome recorded in a
second one. A worker killed in between leaves the delivery to be retried when the lease
ends: the partner may see an event twice, and the event id in the body tells it so.
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.core.url_safety import Resolver, UnsafeUrl, resolved_addresses
from bot.models import Organisation, WebhookAttempt, WebhookDelivery
from bot.models.enums import DeliveryStatus
from bot.partner_webhooks import signing
from bot.partner_webhooks.backoff import next_attempt
from bot.scheduling.claim import lock_batch
from bot.scheduling.sweep import SweepSummary

log = logging.getLogger(__name__)

BATCH = 20
# Long enough for a batch of slow partners to be posted and recorded.
LEASE = timedelta(minutes=5)
USER_AGENT = "Jolserik-Webhooks/1"
GONE = 410
SWITCHED_OFF = "webhook switched off for this organisation"


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    organisation_id: int
    url: str | None
    secret: str | None
    body: str


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int


def deliver_due_webhooks(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    client: httpx.Client | None = None,
    resolve: Resolver = socket.getaddrinfo,
) -> SweepSummary:
    summary = SweepSummary("deliver_due_webhooks")
    own_client = client is None
    http = client or httpx.Client(
        timeout=settings.partner_webhook_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )
    try:
        gone: set[int] = set()  # organisations that answered 410 during this pass
        while True:
            claimed = _claim(engine, now)
            for item in claimed:
                if item.organisation_id in gone:
                    outcome = _Outcome(None, SWITCHED_OFF, 0)
                else:
                    outcome = _post(http, settings, item, resolve)
                if outcome.status_code == GONE:
                    gone.add(item.organisation_id)
                _record(engine, settings, item, outcome, now, summary)
            if len(claimed) < BATCH:
                return summary
    finally:
        if own_client:
            http.close()


def _claim(engine: Engine, now: datetime) -> list[_Claimed]:
    with session_scope(engine) as session:
        rows: list[WebhookDelivery] = lock_batch(
            session,
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.pending,
                col(WebhookDelivery.next_attempt_at) <= now,
            )
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
            .limit(BATCH),
        )
        claimed = []
        for row in rows:
            organisation = session.get(Organisation, row.organisation_id)
            usable = organisation is not None and organisation.is_active
            usable = usable and organisation.webhook_disabled_at is None  # type: ignore[union-attr]
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            session.add(row)
            claimed.append(
                _Claimed(
                    delivery_id=row.id,  # type: ignore[arg-type]
                    organisation_id=row.organisation_id,
                    url=organisation.webhook_url if usable else None,  # type: ignore[union-attr]
                    secret=organisation.webhook_secret if usable else None,  # type: ignore[union-attr]
                    body=row.body,
                )
            )
        return claimed


def _post(http: httpx.Client, settings: Settings, item: _Claimed, resolve: Resolver) -> _Outcome:
    if not item.url or not item.secret:
        return _Outcome(None, SWITCHED_OFF, 0)
    try:
        addresses = resolved_addresses(item.url, production=settings.is_production, resolve=resolve)
    except UnsafeUrl as exc:
        return _Outcome(None, f"refused: {exc}"[:200], 0)
    body = item.body.encode()
    url = httpx.URL(item.url)
    headers = {
        **signing.headers(item.secret, int(time.time()), body),
        "Host": url.netloc.decode("ascii"),
        # Not kept for another partner: a connection is made to a checked address for one
        # host name, and two partners may share an address (a CDN).
        "Connection": "close",
    }
    # TLS is checked against the partner's host name, not the address connected to.
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
    started = time.perf_counter()
    error = "ConnectError"
    for address in addresses:  # the next address only when this one cannot be reached
        try:
            response = http.post(
                url.copy_with(host=address), content=body, headers=headers, extensions=extensions
            )
        except httpx.ConnectError:
            continue
        except httpx.HTTPError as exc:
            error = type(exc).__name__
            break
        elapsed = int((time.perf_counter() - started) * 1000)
        return _Outcome(response.status_code, None, elapsed)
    elapsed = int((time.perf_counter() - started) * 1000)
    return _Outcome(None, error, elapsed)


def _record(
    engine: Engine,
    settings: Settings,
    item: _Claimed,
    outcome: _Outcome,
    now: datetime,
    summary: SweepSummary,
) -> None:
    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, item.delivery_id)
        if delivery is None:
            return
        session.add(
            WebhookAttempt(
                delivery_id=item.delivery_id,
                attempted_at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        code = outcome.status_code
        if code is not None and 200 <= code < 300:
            delivery.status = DeliveryStatus.delivered
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            summary.processed += 1
        elif code == GONE:
            # The partner took the endpoint down on purpose: no more posts until an admin
            # sets a webhook URL again.
            delivery.status = DeliveryStatus.failed
            delivery.next_attempt_at = None
            organisation = session.get(Organisation, item.organisation_id)
            if organisation is not None and organisation.webhook_disabled_at is None:
                organisation.webhook_disabled_at = now
                session.add(organisation)
            log.warning(
                "partner webhook gone; disabled",
                extra={"organisation_id": item.organisation_id},
            )
            summary.errors += 1
        else:
            retry = (
                next_attempt(
                    delivery.created_at,
                    delivery.attempts,
                    now,
                    timedelta(hours=settings.partner_webhook_retry_hours),
                )
                if outcome.error != SWITCHED_OFF
                else None
            )
            if retry is None:
                delivery.status = DeliveryStatus.failed
                delivery.next_attempt_at = None
                summary.errors += 1
            else:
                delivery.next_attempt_at = retry
                summary.skipped += 1
            log.info(
                "partner webhook attempt failed",
                extra={
                    "delivery_id": item.delivery_id,
                    "status_code": code,
                    "error": outcome.error,
                    "attempts": delivery.attempts,
                    "gave_up": retry is None,
                },
            )
        session.add(delivery)
