"""Administrators and a partner's webhook: the secret is shown once and rotates, every
delivery and attempt can be read, and nobody else may do either."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.db import session_scope
from bot.core.settings import Settings
from bot.models import Organisation, Referral
from bot.partner_webhooks.sender import deliver_due_webhooks
from bot.services.partner_notices import CREATED, notify_partner
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import audit_actions
from tests.fakes.webhook_receiver import webhook_receiver
from tests.partners import T0, make_partnered


def _admin(make_user: MakeUser, login: Login) -> dict[str, str]:
    make_user("admin@example.org", "admin")
    return login("admin@example.org")


def test_the_secret_is_shown_once_and_replaced_on_rotation(
    client: TestClient, engine: Engine, make_user: MakeUser, login: Login
) -> None:
    headers = _admin(make_user, login)
    ids = make_partnered(engine, webhook_url="https://hooks.partner.example/in", secret=None)
    url = f"/api/v1/organisations/{ids.organisation_id}/webhook-secret"

    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["signature_header"] == "X-Jolserik-Signature"
    second = client.post(url, headers=headers).json()["secret"]
    assert second != body["secret"]
    with Session(engine) as session:
        organisation = session.get(Organisation, ids.organisation_id)
        assert organisation is not None and organisation.webhook_secret == second
    actions = [action for action, _actor in audit_actions(engine)]
    assert actions.count("organisation.webhook_secret") == 2


def test_a_secret_needs_a_webhook_url_and_an_organisation(
    client: TestClient, engine: Engine, make_user: MakeUser, login: Login
) -> None:
    headers = _admin(make_user, login)
    ids = make_partnered(engine, webhook_url=None)
    refused = client.post(
        f"/api/v1/organisations/{ids.organisation_id}/webhook-secret", headers=headers
    )
    assert refused.status_code == 422
    assert "webhook URL" in refused.text
    missing = client.post("/api/v1/organisations/999999/webhook-secret", headers=headers)
    assert missing.status_code == 404


def test_deliveries_show_every_attempt_newest_first(
    client: TestClient,
    engine: Engine,
    partner_settings: Settings,
    make_user: MakeUser,
    login: Login,
) -> None:
    headers = _admin(make_user, login)
    with webhook_receiver(secret="whsec_x", script=[502]) as receiver:
        ids = make_partnered(engine, webhook_url=receiver.url, secret="whsec_x")
        with session_scope(engine) as session:
            referral = session.get(Referral, ids.referral_id)
            assert referral is not None
            for _ in range(3):
                notify_partner(session, partner_settings, referral, CREATED, now=T0)
        deliver_due_webhooks(engine, partner_settings, T0)

    url = f"/api/v1/organisations/{ids.organisation_id}/deliveries"
    page = client.get(url, params={"limit": 2}, headers=headers)
    assert page.status_code == 200, page.text
    data = page.json()
    assert len(data["items"]) == 2
    assert data["next_before"] == data["items"][-1]["id"]
    rest = client.get(url, params={"before": data["next_before"]}, headers=headers).json()
    items = data["items"] + rest["items"]
    assert len(items) == 3 and rest["next_before"] is None
    assert [item["id"] for item in items] == sorted((item["id"] for item in items), reverse=True)
    failed = [item for item in items if item["last_status_code"] == 502]
    assert len(failed) == 1 and failed[0]["status"] == "pending"
    assert failed[0]["recent_attempts"][0]["status_code"] == 502
    assert all(item["event"] == "referral.created" for item in items)
    assert "body" not in items[0]  # the admin view lists events, not their bytes


def test_only_admins_see_secrets_and_deliveries(
    client: TestClient, engine: Engine, make_user: MakeUser, login: Login
) -> None:
    ids = make_partnered(engine, webhook_url="https://hooks.partner.example/in")
    make_user("officer@example.org", "officer")
    make_user("coordinator@example.org", "ngo", organisation_id=ids.organisation_id)
    for email in ("officer@example.org", "coordinator@example.org"):
        headers = login(email)
        base = f"/api/v1/organisations/{ids.organisation_id}"
        assert client.post(f"{base}/webhook-secret", headers=headers).status_code == 403
        assert client.get(f"{base}/deliveries", headers=headers).status_code == 403
    assert client.get(f"/api/v1/organisations/{ids.organisation_id}/deliveries").status_code == 401
