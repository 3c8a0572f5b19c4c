"""The Telegram channel against a fake Bot API server on loopback (real HTTP)."""

from tests.fakes.telegram_fixtures import (  # noqa: F401  (fixtures)
    _ptb_timedelta,
    fake,
    telegram_api,
    telegram_settings,
    tg_client,
    tg_settings,
    tg_worker_client,
)
