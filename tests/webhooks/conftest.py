"""Fixtures for the Twilio webhooks: the fake Twilio API, settings pointing at it, and an
app built with the SMS channel on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.fakes.twilio_api import (  # noqa: F401  (fixtures)
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilioApi,
    twilio_api,
    twilio_server,
)
from tests.webhooks.twilio_helpers import PUBLIC_BASE_URL


@pytest.fixture
def sms_settings(settings: Settings, twilio_api: FakeTwilioApi) -> Settings:  # noqa: F811
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from_number": FROM_NUMBER,
            "twilio_api_base_url": twilio_api.url,
            "public_base_url": PUBLIC_BASE_URL,
            "sms_messages_per_second": 100.0,
            "sms_send_timeout_seconds": 2.0,
        }
    )


@pytest.fixture
def sms_client(sms_settings: Settings) -> Iterator[TestClient]:
    """The web app alone: inbound is stored and replies are queued, nothing is sent."""
    with TestClient(create_app(sms_settings)) as client:
        yield client


@pytest.fixture
def sms_worker_client(sms_settings: Settings) -> Iterator[TestClient]:
    """The app with its worker: queued messages go to the fake Twilio API."""
    with TestClient(create_app(sms_settings, with_worker=True)) as client:
        yield client
