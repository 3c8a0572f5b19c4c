"""`jolserik telegram set-webhook | webhook-info | delete-webhook | poll`, run in-process
against the fake Bot API."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from bot.channels.telegram.adapter import ALLOWED_UPDATES
from bot.cli import app
from tests.bot.channels.telegram.updates import SECRET, update
from tests.fakes.telegram_api import BOT_USERNAME, TOKEN

PUBLIC = "https://bot.example.kz"


@pytest.fixture
def cli_env(settings, fake, monkeypatch, tmp_path):
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "ENVIRONMENT": "development",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "PUBLIC_BASE_URL": PUBLIC,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no developer's .env is read
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield fake
    root.handlers[:], root.level = handlers, level  # the CLI configures logging


def _run(*args: str):
    return CliRunner().invoke(app, ["telegram", *args])


def test_set_webhook_points_telegram_at_the_public_url_with_the_secret(cli_env):
    fake = cli_env
    fake.push_update(update("text"))

    result = _run("set-webhook")

    assert result.exit_code == 0, result.output
    [call] = fake.calls_to("setWebhook")
    assert call.params["url"] == f"{PUBLIC}/webhooks/telegram"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == list(ALLOWED_UPDATES)
    assert call.params["drop_pending_updates"] is False
    assert len(fake.updates) == 1  # kept: they will be delivered to the webhook
    assert f"@{BOT_USERNAME}" in result.output and f"{PUBLIC}/webhooks/telegram" in result.output
    assert SECRET not in result.output and TOKEN not in result.output


def test_set_webhook_can_drop_pending_updates(cli_env):
    fake = cli_env
    fake.push_update(update("text"))
    result = _run("set-webhook", "--drop-pending")
    assert result.exit_code == 0, result.output
    assert fake.calls_to("setWebhook")[0].params["drop_pending_updates"] is True
    assert fake.updates == []


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TELEGRAM_WEBHOOK_SECRET", None, "TELEGRAM_WEBHOOK_SECRET is not set"),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:8000", "must start with https://"),
        ("TELEGRAM_BOT_TOKEN", None, "TELEGRAM_BOT_TOKEN is not set"),
    ],
)
def test_set_webhook_refuses_what_cannot_work(cli_env, monkeypatch, variable, value, message):
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    result = _run("set-webhook")
    assert result.exit_code == 2
    assert message in result.output
    assert cli_env.calls_to("setWebhook") == []


def test_webhook_info_shows_pending_updates_and_the_last_error(cli_env):
    fake = cli_env
    assert _run("set-webhook").exit_code == 0
    fake.push_update(update("text"))
    fake.push_update(update("text"))
    fake.webhook.last_error_date = 1767225600
    fake.webhook.last_error_message = "Wrong response from the webhook: 503 Service Unavailable"

    result = _run("webhook-info")

    assert result.exit_code == 0, result.output
    assert f"URL: {PUBLIC}/webhooks/telegram" in result.output
    assert "Pending updates: 2" in result.output
    assert "Last error: 2026-01-01T00:00:00+00:00 Wrong response from the webhook" in result.output


def test_webhook_info_without_a_webhook(cli_env):
    result = _run("webhook-info")
    assert result.exit_code == 0, result.output
    assert "URL: (none" in result.output and "Last error: none" in result.output


def test_delete_webhook(cli_env):
    fake = cli_env
    assert _run("set-webhook").exit_code == 0
    result = _run("delete-webhook")
    assert result.exit_code == 0, result.output
    assert fake.webhook.url == ""


def test_poll_refuses_while_a_webhook_is_set(cli_env):
    fake = cli_env
    assert _run("set-webhook").exit_code == 0

    result = _run("poll")

    assert result.exit_code == 1
    assert f"A webhook is set ({PUBLIC}/webhooks/telegram)" in result.output
    assert "jolserik telegram delete-webhook" in result.output
    assert fake.calls_to("getUpdates") == []


def test_a_rejected_token_is_reported_without_printing_it(cli_env, monkeypatch):
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken123"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", wrong)
    result = _run("webhook-info")
    assert result.exit_code == 1
    assert "Telegram refused" in result.output
    assert wrong not in result.output
