"""Fixtures for tests that talk to Telegram: a fake Bot API server on loopback (real HTTP),
settings that point the channel at it, and apps built with the channel on. Imported by the
conftest of every test folder that needs them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.settings import Settings
from tests.bot.channels.telegram.updates import SECRET
from tests.fakes.telegram_api import TOKEN, FakeBotApi


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22's opt-in to its v23 behaviour (durations as timedelta); without it PTB warns
    # each time it builds a RetryAfter. The adapter reads both forms (test_adapter).
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture
def fake(telegram_api: FakeBotApi) -> FakeBotApi:
    telegram_api.reset()
    return telegram_api


def telegram_settings(settings: Settings, fake: FakeBotApi, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": TOKEN,
        "telegram_webhook_secret": SECRET,
        "telegram_api_base_url": fake.base_url,
        # Fast by default; the pacing tests set the real per-chat rate.
        "telegram_per_chat_per_second": 100.0,
        "telegram_request_timeout_seconds": 0.5,  # the fake answers in milliseconds
    }
    values.update(overrides)
    return settings.model_copy(update=values)


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeBotApi) -> Settings:
    return telegram_settings(settings, fake)


@pytest.fixture
def tg_client(tg_settings: Settings) -> Iterator[TestClient]:
    """The app with the Telegram channel on and no worker: replies stay queued."""
    with TestClient(create_app(tg_settings)) as client:
        yield client


@pytest.fixture
def tg_worker_client(tg_settings: Settings) -> Iterator[TestClient]:
    """The app with the worker embedded: replies go out to the fake server."""
    with TestClient(create_app(tg_settings, with_worker=True)) as client:
        yield client
