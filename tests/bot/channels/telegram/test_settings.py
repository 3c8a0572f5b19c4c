"""Telegram settings: the webhook secret production requires, and configurable rates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.core.settings import load_settings

PRODUCTION = {"environment": "production", "secret_key": "k" * 48}


@pytest.mark.parametrize("secret", [None, ""])
def test_production_with_a_token_requires_the_webhook_secret(secret, monkeypatch):
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    overrides = {} if secret is None else {"telegram_webhook_secret": secret}
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(_env_file=None, telegram_bot_token="1:abc", **PRODUCTION, **overrides)


@pytest.mark.parametrize("secret", ["has space", "semi;colon", "кириллица", "x" * 257])
@pytest.mark.parametrize("environment", ["development", "production"])
def test_a_secret_telegram_would_refuse_is_refused_at_start(secret, environment):
    overrides = PRODUCTION if environment == "production" else {}
    with pytest.raises(ValidationError, match="1-256 characters of A-Za-z0-9_-"):
        load_settings(
            _env_file=None,
            telegram_bot_token="1:abc",
            telegram_webhook_secret=secret,
            **overrides,
        )


@pytest.mark.parametrize("secret", ["a", "A-z_09", "x" * 256])
def test_valid_secrets_pass_in_production(secret):
    settings = load_settings(
        _env_file=None, telegram_bot_token="1:abc", telegram_webhook_secret=secret, **PRODUCTION
    )
    assert settings.telegram_enabled and settings.telegram_webhook_secret == secret


def test_a_blank_secret_in_development_is_unset_not_an_error():
    settings = load_settings(_env_file=None, telegram_bot_token="1:abc", telegram_webhook_secret="")
    assert settings.telegram_enabled and not settings.telegram_webhook_secret


def test_production_without_telegram_needs_no_secret(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert not load_settings(_env_file=None, **PRODUCTION).telegram_enabled


def test_rates_and_timeout_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TELEGRAM_MESSAGES_PER_SECOND", "20")
    monkeypatch.setenv("TELEGRAM_PER_CHAT_PER_SECOND", "0.5")
    monkeypatch.setenv("TELEGRAM_REQUEST_TIMEOUT_SECONDS", "15")
    settings = load_settings(_env_file=None)
    assert settings.telegram_messages_per_second == 20
    assert settings.telegram_per_chat_per_second == 0.5
    assert settings.telegram_request_timeout_seconds == 15
    with pytest.raises(ValidationError):
        load_settings(_env_file=None, telegram_per_chat_per_second=0)
