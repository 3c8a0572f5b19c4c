"""POST /webhooks/telegram: updates from Telegram (set with `jolserik telegram set-webhook`).

Checks, in this order, each before any work the next would cost: the secret token
(403), the body size (413), JSON (400), the shape of an Update (400). Then the update is
stored as it came (bot/intake: one transaction for every request waiting at that moment)
and answered; the processor runs the flows on it. Telegram re-sends an update until it
gets a 2xx, so a 200 means "stored" and a stored update answers 200 again; an unavailable
database answers 503 (bot/app.py) so it retries. Updates from groups and channels are
answered 200 and not stored: nothing would be done with them.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from telegram import Update

from bot.channels.telegram.adapter import TELEGRAM, TelegramChannel
from bot.channels.telegram.inbound import badly_typed
from bot.channels.telegram.plain_update import plain_update
from bot.core.deps import runtime_of
from bot.intake.events import plain_telegram_event, telegram_event
from bot.intake.store import NewEvent

log = logging.getLogger(__name__)

router = APIRouter(tags=["telegram"])

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Updates are a few kilobytes; anything near this is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(Exception):
    """The request body passed the 1 MiB limit while it was being read."""


def secret_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison. With no secret configured nothing matches: the webhook
    is closed until TELEGRAM_WEBHOOK_SECRET is set (use `jolserik telegram poll` then)."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():  # a chunked body has no length to check first
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def parse_update(data: Any, channel: TelegramChannel) -> Update | None:
    """python-telegram-bot's own parser; None when the JSON is not an Update."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not _fits_64(update_id):
        return None
    try:
        update = Update.de_json(data, channel.bot)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, OSError):
        return None  # OverflowError, OSError: a "date" no clock can show
    if badly_typed(update):
        return None
    chat = update.effective_chat
    return update if chat is None or _fits_64(chat.id) else None


def _fits_64(value: int) -> bool:
    # Telegram's ids fit 64 bits; a longer one would not fit the provider id or lane.
    return -(2**63) <= value < 2**63


@router.post("/telegram", include_in_schema=False)
async def receive(request: Request) -> JSONResponse:
    runtime = runtime_of(request)
    channel = runtime.channels.get(TELEGRAM)
    if not isinstance(channel, TelegramChannel):
        return _problem(503, "The Telegram channel is not running.")
    expected = runtime.settings.telegram_webhook_secret
    if not secret_matches(request.headers.get(SECRET_HEADER), expected):
        log.warning("telegram webhook refused: missing or wrong secret token")
        return _problem(403, "Forbidden.")
    try:
        body = await read_limited(request)
    except BodyTooLarge:
        return _problem(413, f"Body over {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body)
    except ValueError:
        return _problem(400, "The body is not valid JSON.")
    # The commonest updates are read as they are; python-telegram-bot parses the rest.
    plain = plain_update(data)
    if plain is not None:
        event: NewEvent | None = plain_telegram_event(data, plain)
    else:
        update = parse_update(data, channel)
        if update is None:
            return _problem(400, "The body is not a Telegram Update (no integer update_id).")
        event = telegram_event(data, update)
    if event is not None:
        stored = await runtime.receive(event)
        # Every request has its access line (bot/core/middleware.py); a re-delivery is
        # worth one more: Telegram re-sends when our answers are slow or failing.
        if stored.duplicate:
            log.info("telegram update was stored before (a re-delivery)")
    return JSONResponse({"ok": True})
