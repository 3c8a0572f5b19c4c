"""Long polling (development without a public URL): getUpdates feeding the same store as
the webhook (the worker, which always runs beside the poller, processes what it stores).
Telegram allows one or the other; with a webhook set, getUpdates fails.

An update is confirmed (the next offset asked for) only after it was stored, so a
database outage or a crash re-fetches it; the `u:<update_id>` dedupe keeps that safe.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update
from telegram.error import Conflict, RetryAfter, TelegramError

from bot.channels.telegram.adapter import ALLOWED_UPDATES, TelegramChannel, retry_after_seconds
from bot.core.runtime import Runtime
from bot.intake.events import telegram_event

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25
ERROR_PAUSE_MAX_SECONDS = 60.0


class WebhookActive(Exception):
    """A webhook is set: Telegram sends updates there and refuses getUpdates."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


async def ensure_no_webhook(bot: Bot) -> None:
    info = await bot.get_webhook_info()
    if info.url:
        raise WebhookActive(info.url)


async def poll(
    runtime: Runtime,
    channel: TelegramChannel,
    stop: asyncio.Event,
    *,
    long_poll_seconds: int = LONG_POLL_SECONDS,
) -> int:
    """Fetch and handle updates until `stop` is set. Returns how many were handled."""
    await ensure_no_webhook(channel.bot)
    offset: int | None = None
    handled = 0
    pause = 1.0
    while not stop.is_set():
        try:
            updates = await _next_batch(channel, offset, long_poll_seconds, stop)
        except Conflict:
            # Someone set a webhook (or another poller runs) while we were polling.
            info = await channel.bot.get_webhook_info()
            raise WebhookActive(info.url or "(another getUpdates client)") from None
        except RetryAfter as exc:
            await _sleep(stop, retry_after_seconds(exc))
            continue
        except TelegramError as exc:
            log.warning("getUpdates failed; retrying", extra={"error": type(exc).__name__})
            await _sleep(stop, pause)
            pause = min(pause * 2, ERROR_PAUSE_MAX_SECONDS)
            continue
        pause = 1.0
        for update in updates:
            try:
                event = telegram_event(update.to_dict(), update)
                if event is not None:
                    await runtime.receive(event)
            except SQLAlchemyError as exc:
                # Not stored: do not confirm it; fetch it again after a pause.
                log.warning("storing an update failed", extra={"error": type(exc).__name__})
                await _sleep(stop, pause)
                pause = min(pause * 2, ERROR_PAUSE_MAX_SECONDS)
                break
            except Exception:
                # A bug with one update must not stall every later one: skip it.
                log.exception("handling an update failed; skipped")
            offset = update.update_id + 1
            handled += 1
    return handled


async def _next_batch(
    channel: TelegramChannel, offset: int | None, long_poll_seconds: int, stop: asyncio.Event
) -> tuple[Update, ...]:
    """getUpdates, abandoned as soon as `stop` is set (a long poll can take its time)."""
    fetch = asyncio.ensure_future(
        channel.bot.get_updates(
            offset=offset, timeout=long_poll_seconds, allowed_updates=list(ALLOWED_UPDATES)
        )
    )
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not fetch.done():
        fetch.cancel()
        await asyncio.gather(fetch, return_exceptions=True)
        return ()
    return fetch.result()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
