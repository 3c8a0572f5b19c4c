"""Reliability tests run against a real HTTP server with the Telegram channel faked."""

from tests.fakes.telegram_fixtures import (  # noqa: F401  (fixtures)
    _ptb_timedelta,
    fake,
    telegram_api,
    telegram_settings,
)
