"""Fixtures for the provider webhooks: the fake Twilio API and the fake Bot API, settings
pointing at them, and apps built with each channel on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.settings import Settings
from tests.fakes.telegram_fixtures import (  # noqa: F401  (fixtures)
    _ptb_timedelta,
    fake,
    telegram_api,
    tg_client,
    tg_settings,
    tg_worker_client,
)
from tests.fakes.twilio_api import (  # noqa: F401  (fixtures)
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilioApi,
    settings_for,
    twilio_api,
    twilio_server,
)


@pytest.fixture
def sms_settings(settings: Settings, twilio_api: FakeTwilioApi) -> Settings:  # noqa: F811
    return settings_for(settings, twilio_api, timeout=2.0)


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
