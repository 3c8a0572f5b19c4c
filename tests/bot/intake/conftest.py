"""The fake Bot API and Telegram settings for the intake tests."""

from tests.fakes.telegram_fixtures import (  # noqa: F401  (fixtures)
    _ptb_timedelta,
    fake,
    telegram_api,
    tg_settings,
)
