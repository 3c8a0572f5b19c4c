"""Webhooks to a real receiver on loopback that checks the signature with the README's own
code: delivered, retried with backoff until it works, given up after a day, switched off
by 410, and never posted to a private address in production."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Organisation, Referral, WebhookAttempt, WebhookDelivery
from bot.models.enums import DeliveryStatus
from bot.partner_webhooks.sender import deliver_due_webhooks
from bot.services.partner_notices import CANCELLED, CREATED, notify_partner
from tests.fakes.webhook_receiver import webhook_receiver
from tests.partners import SECRET, T0, make_partnered


def _notify(
    engine: Engine, settings: Settings, referral_id: int, event: str = CREATED
) -> list[str]:
    with session_scope(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        return notify_partner(session, settings, referral, event, now=T0)


def _delivery(engine: Engine) -> WebhookDelivery:
    with Session(engine) as session:
        return session.exec(select(WebhookDelivery)).one()


def _attempts(engine: Engine) -> list[WebhookAttempt]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookAttempt).order_by(col(WebhookAttempt.id))))


def test_a_new_referral_reaches_the_receiver_signed_and_without_personal_data(
    engine: Engine, partner_settings: Settings
) -> None:
    with webhook_receiver(secret=SECRET) as receiver:
        ids = make_partnered(engine, webhook_url=receiver.url)
        assert _notify(engine, partner_settings, ids.referral_id) == ["email", "webhook"]
        summary = deliver_due_webhooks(engine, partner_settings, T0)

    assert summary.processed == 1
    [request] = receiver.received
    assert request.verified, "the README's check must accept what we send"
    assert request.path == "/hooks/jolserik"
    event = json.loads(request.body)
    assert set(event) == {"id", "type", "created_at", "organisation_id", "referral"}
    assert event["type"] == "referral.created"
    assert event["organisation_id"] == ids.organisation_id
    assert event["referral"] == {
        "id": ids.referral_id,
        "kind": "employment",
        "status": "sent",
        "url": f"http://127.0.0.1:8000/api/v1/referrals/{ids.referral_id}",
    }
    for secret_word in ("Gulnara", "Secretname", "+7701", "construction"):
        assert secret_word not in request.body.decode()
    delivery = _delivery(engine)
    assert delivery.status == DeliveryStatus.delivered and delivery.attempts == 1
    assert delivery.event_id == event["id"]
    [attempt] = _attempts(engine)
    assert attempt.status_code == 200 and attempt.error is None


def test_a_wrong_secret_fails_the_readme_check(engine: Engine, partner_settings: Settings) -> None:
    with webhook_receiver(secret="whsec_someone-else") as receiver:
        ids = make_partnered(engine, webhook_url=receiver.url)
        _notify(engine, partner_settings, ids.referral_id)
        deliver_due_webhooks(engine, partner_settings, T0)
    assert [r.verified for r in receiver.received] == [False]


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    engine: Engine, partner_settings: Settings
) -> None:
    with webhook_receiver(secret=SECRET, script=[500, 503]) as receiver:
        ids = make_partnered(engine, webhook_url=receiver.url)
        _notify(engine, partner_settings, ids.referral_id, CANCELLED)

        deliver_due_webhooks(engine, partner_settings, T0)
        first = _delivery(engine)
        assert first.status == DeliveryStatus.pending
        assert first.next_attempt_at == T0 + timedelta(seconds=30)

        # Not due yet: nothing is posted.
        deliver_due_webhooks(engine, partner_settings, T0 + timedelta(seconds=29))
        assert len(receiver.received) == 1

        deliver_due_webhooks(engine, partner_settings, T0 + timedelta(seconds=30))
        second = _delivery(engine)
        assert second.next_attempt_at == T0 + timedelta(seconds=90)  # 30 s, then 60 s

        deliver_due_webhooks(engine, partner_settings, T0 + timedelta(seconds=90))

    assert [r.verified for r in receiver.received] == [True, True, True]
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1  # the same event
    done = _delivery(engine)
    assert done.status == DeliveryStatus.delivered and done.attempts == 3
    assert [a.status_code for a in _attempts(engine)] == [500, 503, 200]


def test_failures_are_given_up_after_a_day(engine: Engine, partner_settings: Settings) -> None:
    with webhook_receiver(secret=SECRET, script=[500] * 100) as receiver:
        ids = make_partnered(engine, webhook_url=receiver.url)
        _notify(engine, partner_settings, ids.referral_id)
        now = T0
        for _ in range(60):
            deliver_due_webhooks(engine, partner_settings, now)
            delivery = _delivery(engine)
            if delivery.status != DeliveryStatus.pending:
                break
            assert delivery.next_attempt_at is not None
            now = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.failed
    assert now <= T0 + timedelta(hours=24)
    # Exponential: a few quick tries, then hourly ones; about 30 in the day, not hundreds.
    assert 25 <= delivery.attempts <= 35
    assert len(receiver.received) == delivery.attempts


def test_410_switches_the_webhook_off(engine: Engine, partner_settings: Settings) -> None:
    with webhook_receiver(secret=SECRET, script=[410]) as receiver:
        ids = make_partnered(engine, webhook_url=receiver.url)
        _notify(engine, partner_settings, ids.referral_id)
        _notify(engine, partner_settings, ids.referral_id, CANCELLED)
        deliver_due_webhooks(engine, partner_settings, T0)
        # Later events are not even queued while the webhook is off.
        assert _notify(engine, partner_settings, ids.referral_id) == ["email"]

    assert len(receiver.received) == 1  # the second queued event was not posted
    with Session(engine) as session:
        organisation = session.get(Organisation, ids.organisation_id)
        assert organisation is not None and organisation.webhook_disabled_at == T0
        statuses = session.exec(select(WebhookDelivery.status, WebhookDelivery.last_error)).all()
    assert sorted(s for s, _ in statuses) == [DeliveryStatus.failed, DeliveryStatus.failed]
    assert any(error and "switched off" in error for _, error in statuses)


def test_an_unreachable_receiver_is_retried(engine: Engine, partner_settings: Settings) -> None:
    with webhook_receiver(secret=SECRET) as receiver:
        url = receiver.url  # the server is gone once the block ends: nothing listens there
    ids = make_partnered(engine, webhook_url=url)
    _notify(engine, partner_settings, ids.referral_id)
    deliver_due_webhooks(engine, partner_settings, T0)
    delivery = _delivery(engine)
    assert delivery.status == DeliveryStatus.pending
    assert delivery.last_status_code is None and delivery.last_error == "ConnectError"


def test_production_never_posts_to_a_private_address(
    engine: Engine, partner_settings: Settings
) -> None:
    production = partner_settings.model_copy(update={"environment": "production"})
    with webhook_receiver(secret=SECRET) as receiver:
        # As if saved when it resolved elsewhere: the name now leads to loopback.
        ids = make_partnered(engine, webhook_url="https://hooks.partner.example/jolserik")
        _notify(engine, production, ids.referral_id)

        def resolve(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
            return [(2, 1, 6, "", ("127.0.0.1", 443))]

        deliver_due_webhooks(engine, production, T0, resolve=resolve)
    assert receiver.received == []
    delivery = _delivery(engine)
    assert delivery.status == DeliveryStatus.pending
    assert delivery.last_error is not None and delivery.last_error.startswith("refused")


def _resolving(*addresses: str, lookups: list[str]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        lookups.append(host)
        return [(2, 1, 6, "", (address, port)) for address in addresses]

    return resolve


def test_the_post_goes_to_the_address_that_was_checked(
    engine: Engine, partner_settings: Settings
) -> None:
    """The partner's name is resolved once, checked, and the post is sent to that address
    with the name in the Host header: a name that would answer a second lookup with
    another address (DNS rebinding) is not looked up again. (Nothing resolves this name
    but the test's resolver.)"""
    lookups: list[str] = []
    with webhook_receiver(secret=SECRET) as receiver:
        port = httpx.URL(receiver.url).port
        url = f"http://hooks.partner.invalid:{port}/hooks/jolserik"
        ids = make_partnered(engine, webhook_url=url)
        _notify(engine, partner_settings, ids.referral_id)
        resolve = _resolving("127.0.0.1", lookups=lookups)
        deliver_due_webhooks(engine, partner_settings, T0, resolve=resolve)

    assert lookups == ["hooks.partner.invalid"]
    [got] = receiver.received
    assert got.verified and got.path == "/hooks/jolserik"
    assert got.headers["Host"] == f"hooks.partner.invalid:{port}"
    assert _delivery(engine).status == DeliveryStatus.delivered


def test_an_address_that_cannot_be_reached_gives_way_to_the_next(
    engine: Engine, partner_settings: Settings
) -> None:
    lookups: list[str] = []
    with webhook_receiver(secret=SECRET) as receiver:
        port = httpx.URL(receiver.url).port
        ids = make_partnered(engine, webhook_url=f"http://hooks.partner.invalid:{port}/hook")
        _notify(engine, partner_settings, ids.referral_id)
        # Nothing listens on 127.0.0.2 (the receiver is on 127.0.0.1 only).
        resolve = _resolving("127.0.0.2", "127.0.0.1", lookups=lookups)
        deliver_due_webhooks(engine, partner_settings, T0, resolve=resolve)

    assert len(receiver.received) == 1
    assert _delivery(engine).status == DeliveryStatus.delivered


def test_https_is_checked_against_the_partners_name_not_the_address(
    engine: Engine, partner_settings: Settings, tmp_path: Path
) -> None:
    """Connected to the checked address, the TLS certificate must still be the partner's
    name's (sent as SNI): the post arrives, signed, over a certificate for that name."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    name = "hooks.partner.invalid"
    command = f"req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN={name}".split()
    command += ["-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)]
    # A fixed command making a throwaway certificate.
    subprocess.run([openssl, *command], check=True, capture_output=True)  # noqa: S603
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))
    lookups: list[str] = []
    with (
        webhook_receiver(secret=SECRET, tls=served) as receiver,
        httpx.Client(verify=trusted) as client,
    ):
        port = httpx.URL(receiver.url).port
        ids = make_partnered(engine, webhook_url=f"https://hooks.partner.invalid:{port}/h")
        _notify(engine, partner_settings, ids.referral_id)
        resolve = _resolving("127.0.0.1", lookups=lookups)
        deliver_due_webhooks(engine, partner_settings, T0, client=client, resolve=resolve)

    [got] = receiver.received
    assert got.verified and got.headers["Host"] == f"hooks.partner.invalid:{port}"
    assert _delivery(engine).status == DeliveryStatus.delivered
