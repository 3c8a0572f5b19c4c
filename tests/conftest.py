"""Shared fixtures: the loopback-only guard, a real database (SQLite or PostgreSQL) built by
the migrations, settings, the app and an API client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import bot.models  # noqa: F401  (registers every table)
from bot.app import create_app
from bot.core.db import make_engine
from bot.core.migrate import upgrade
from bot.core.settings import Settings, load_settings
from tests import network_guard
from tests.database import reset_schema, test_database_url, wipe

network_guard.install()


def pytest_configure(config: pytest.Config) -> None:
    from tests import log_privacy

    log_privacy.install(config)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = test_database_url(Path(tmp_path_factory.mktemp("db")))
    reset_schema(url)
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    wipe(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, engine: Engine) -> Settings:
    # `_env_file=None`: a developer's .env must not change what the tests see.
    return load_settings(
        _env_file=None,
        database_url=database_url,
        environment="development",
        telegram_bot_token=None,
        twilio_account_sid=None,
        scheduler_tick_seconds=0.2,
        outbox_poll_seconds=0.05,
        # The webhook processes each event before answering, so a test reads the reply at
        # once; tests/bot/intake and the reliability tests use the worker's processor.
        inbound_processing="inline",
        inbound_poll_seconds=0.05,
        # Off, so a test run at night behaves like one by day; quiet-hours tests turn it on.
        quiet_hours_start=0,
        quiet_hours_end=0,
    )


@pytest.fixture
def partner_settings(settings: Settings) -> Settings:
    """E-mail configured, for tests that only check what is queued (no SMTP server)."""
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_from": "noreply@jolserik.example"}
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
