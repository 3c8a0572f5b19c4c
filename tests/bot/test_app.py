"""The app as a whole: health, readiness, the simulator only in development, 503s."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.app import create_app
from bot.core.settings import load_settings
from bot.models import Message


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_readyz_is_503_when_migrations_are_behind(tmp_path):
    settings = load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and "jolserik db upgrade" in response.json()["database"]


def test_database_unreachable_gives_503_so_providers_retry():
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    settings = load_settings(
        _env_file=None, database_url="postgresql+psycopg://postgres@127.0.0.1:9/none"
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/webhooks/simulator", json={"address": "a1", "text": "hi"})
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert client.get("/readyz").status_code == 503


def test_production_has_no_simulator_and_no_docs():
    settings = load_settings(
        _env_file=None,
        environment="production",
        secret_key="s" * 48,
        database_url="sqlite:///:memory:",
    )
    app = create_app(settings)
    paths = {getattr(route, "path", None) for route in app.routes}
    assert "/simulator" not in paths and "/webhooks/simulator" not in paths
    assert "/docs" not in paths


def test_malformed_simulator_payloads_get_422_and_store_nothing(client, engine):
    for payload in (
        {"address": "a1"},
        {"address": "a1", "text": "   "},
        {"address": "bad address!", "text": "hi"},
        {"text": "hi"},
        {"address": "a1", "text": "x" * 5000},
    ):
        response = client.post("/webhooks/simulator", json=payload)
        assert response.status_code == 422, payload
    response = client.post(
        "/webhooks/simulator", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    with Session(engine) as session:
        assert session.exec(select(Message)).all() == []


def test_the_simulator_answers_only_peers_on_loopback(app):
    """It lists live invitation codes: a peer beyond loopback (directly or through a
    local reverse proxy) finds nothing there; the rest of the app still answers."""
    payload = {"address": "a1", "text": "hi"}
    with TestClient(app, client=("203.0.113.7", 50000)) as remote:
        assert remote.get("/simulator").status_code == 404
        assert remote.get("/webhooks/simulator/conversation?address=a1").status_code == 404
        refused = remote.post("/webhooks/simulator", json=payload)
        assert refused.status_code == 404 and refused.json() == {"detail": "Not Found"}
        assert remote.get("/healthz").status_code == 200
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/simulator").status_code == 200
        assert local.post("/webhooks/simulator", json=payload).status_code == 200
    with TestClient(app, client=("::1", 50000)) as local6:
        assert local6.get("/webhooks/simulator/conversation?address=a1").status_code == 200


def test_an_inbound_message_with_a_nul_byte_is_stored_not_a_500(client, engine):
    raw = b'{"address": "a1", "text": "hi\\u0000 there"}'
    response = client.post(
        "/webhooks/simulator", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).all()
    assert [m.body for m in stored] == ["hi there"]
