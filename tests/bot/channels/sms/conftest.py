"""The fake Twilio API and settings that point the SMS channel at it."""

from __future__ import annotations

import pytest

from bot.core.settings import Settings
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
    return settings_for(settings, twilio_api, timeout=1.0)
