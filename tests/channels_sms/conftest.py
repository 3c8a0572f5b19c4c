"""The fake Twilio API and settings that point the SMS channel at it."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.fakes.twilio_api import (  # noqa: F401  (fixtures)
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilioApi,
    twilio_api,
    twilio_server,
)

PUBLIC_BASE_URL = "https://jolserik.example.org"


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
            "sms_send_timeout_seconds": 1.0,
        }
    )
