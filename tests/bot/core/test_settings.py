"""Settings: the variable names of the contract, and what production refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.core.settings import load_settings


def test_defaults_are_sqlite_under_var_and_the_documented_ticks(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/var/jolserik.sqlite3")
    assert settings.scheduler_tick_seconds == 30
    assert settings.checkin_reply_window_seconds == 86400
    assert settings.simulator_enabled


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("SCHEDULER_TICK_SECONDS", "5")
    monkeypatch.setenv("CHECKIN_REPLY_WINDOW_SECONDS", "600")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    settings = load_settings(_env_file=None)
    assert settings.scheduler_tick_seconds == 5
    assert settings.checkin_reply_window_seconds == 600
    assert settings.telegram_enabled
    assert not settings.twilio_enabled  # no auth token, no sender: disabled


def test_a_dotenv_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    env = tmp_path / ".env"
    env.write_text("PUBLIC_BASE_URL=https://bot.example.kz\n")
    assert load_settings(_env_file=env).public_base_url == "https://bot.example.kz"


@pytest.mark.parametrize("secret", [None, "", "changethis", "dev-insecure-secret-key", "short"])
def test_production_refuses_a_missing_or_placeholder_secret(secret, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    overrides = {} if secret is None else {"secret_key": secret}
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        load_settings(_env_file=None, environment="production", **overrides)


def test_production_with_a_real_secret_disables_the_simulator():
    settings = load_settings(_env_file=None, environment="production", secret_key="x" * 40)
    assert settings.is_production and not settings.simulator_enabled


def test_a_bad_tick_is_refused():
    with pytest.raises(ValidationError):
        load_settings(_env_file=None, scheduler_tick_seconds=0)
