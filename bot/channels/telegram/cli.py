"""`jolserik telegram …`: point Telegram at this deployment, inspect that, or poll."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from telegram import Bot
from telegram.error import TelegramError

from bot.core.logging_setup import configure_logging
from bot.core.settings import Settings, load_settings

T = TypeVar("T")

telegram_app = typer.Typer(help="Telegram channel: webhook and long polling.", no_args_is_help=True)

WEBHOOK_PATH = "/webhooks/telegram"
DROP_PENDING_HELP = "Discard the updates Telegram is holding for the bot."


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        settings = load_settings()
    except Exception as exc:  # pydantic's ValidationError: show what to fix, not a traceback
        _fail(f"Configuration error: {exc}", 2)
    configure_logging(json_lines=settings.is_production, level=settings.log_level)
    if not settings.telegram_bot_token:
        _fail("TELEGRAM_BOT_TOKEN is not set: the Telegram channel is off.", 2)
    return settings


def webhook_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + WEBHOOK_PATH


def _run(settings: Settings, work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except TelegramError as exc:
        # PTB puts the token into some messages (a rejected token); never print it.
        said = exc.message.replace(settings.telegram_bot_token or "", "[token]")
        _fail(f"Telegram refused: {said}")


def _bot(settings: Settings) -> Bot:
    from bot.channels.telegram.adapter import build_bot

    return build_bot(settings)


@telegram_app.command("set-webhook")
def set_webhook(
    drop_pending: bool = typer.Option(False, "--drop-pending", help=DROP_PENDING_HELP),
) -> None:
    """Have Telegram post updates to PUBLIC_BASE_URL/webhooks/telegram with the secret."""
    from bot.channels.telegram.adapter import ALLOWED_UPDATES

    settings = _settings()
    if not settings.telegram_webhook_secret:
        _fail("TELEGRAM_WEBHOOK_SECRET is not set; the webhook refuses every update without it.", 2)
    url = webhook_url(settings)
    if not url.startswith("https://"):
        _fail(
            f"PUBLIC_BASE_URL must start with https:// for a Telegram webhook (it is "
            f"{settings.public_base_url}). Without a public URL, run `jolserik telegram poll`.",
            2,
        )

    async def main() -> str:
        async with _bot(settings) as bot:
            await bot.set_webhook(
                url=url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending,
            )
            return bot.username

    username = _run(settings, main())
    typer.echo(f"Webhook set for @{username}: {url}")
    typer.echo(f"Update types: {', '.join(ALLOWED_UPDATES)}.")
    if drop_pending:
        typer.echo("Pending updates were dropped.")


@telegram_app.command("webhook-info")
def webhook_info() -> None:
    """Where Telegram sends updates, how many wait, and the last delivery error."""
    settings = _settings()

    async def main() -> list[str]:
        async with _bot(settings) as bot:
            info = await bot.get_webhook_info()
        lines = [
            f"URL: {info.url or '(none: updates wait for getUpdates, `jolserik telegram poll`)'}",
            f"Pending updates: {info.pending_update_count}",
        ]
        if info.last_error_date is not None:
            when = info.last_error_date.isoformat()
            lines.append(f"Last error: {when} {info.last_error_message or ''}".rstrip())
        else:
            lines.append("Last error: none")
        if info.allowed_updates:
            lines.append(f"Update types: {', '.join(info.allowed_updates)}")
        return lines

    for line in _run(settings, main()):
        typer.echo(line)


@telegram_app.command("delete-webhook")
def delete_webhook(
    drop_pending: bool = typer.Option(False, "--drop-pending", help=DROP_PENDING_HELP),
) -> None:
    """Stop webhook delivery (updates then wait for `jolserik telegram poll`)."""
    settings = _settings()

    async def main() -> None:
        async with _bot(settings) as bot:
            await bot.delete_webhook(drop_pending_updates=drop_pending)

    _run(settings, main())
    typer.echo("Webhook deleted; updates now wait for `jolserik telegram poll`.")


@telegram_app.command("poll")
def poll_updates() -> None:
    """Development without a public URL: fetch updates with getUpdates and answer them
    (the worker runs too, so replies and check-ins are sent)."""
    from bot.channels.telegram.adapter import TELEGRAM, TelegramChannel
    from bot.channels.telegram.polling import WebhookActive, ensure_no_webhook, poll
    from bot.core.runtime import Runtime

    settings = _settings()

    async def main() -> int:
        # Refuse before anything starts: with a webhook set, getUpdates is refused.
        async with _bot(settings) as bot:
            await ensure_no_webhook(bot)
        runtime = Runtime.build(settings, with_worker=True)
        channel = runtime.channels[TELEGRAM]
        assert isinstance(channel, TelegramChannel)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await runtime.start()
        try:
            return await poll(runtime, channel, stop)
        finally:
            await runtime.stop()

    try:
        handled = _run(settings, main())
    except WebhookActive as exc:
        _fail(
            f"A webhook is set ({exc.url}), so Telegram delivers updates there and refuses "
            "getUpdates. To poll (development only), run `jolserik telegram delete-webhook` "
            "first; run `jolserik telegram set-webhook` to go back."
        )
    typer.echo(f"Stopped after {handled} updates.")
