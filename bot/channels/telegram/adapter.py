"""The Telegram channel adapter. python-telegram-bot's `Bot` makes every Bot API call;
this module decides pacing, message shape and what each provider error means.

Pacing lives here, not in PTB's `AIORateLimiter`: that limiter covers the whole bot and
groups but not private chats, and our chats are all private. Each process keeps one
global bucket (TELEGRAM_MESSAGES_PER_SECOND) and one bucket per chat
(TELEGRAM_PER_CHAT_PER_SECOND). With several worker processes sending, divide the global
rate between them; a 429 that still gets through is honoured (see `Pacer.pause`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import warnings
from collections import OrderedDict
from collections.abc import Coroutine, Mapping
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.helpers import create_deep_linked_url
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError
from bot.channels.telegram.text import CallbackDataTooLong, keyboard, split_text, to_html
from bot.core.settings import Settings

log = logging.getLogger(__name__)

TELEGRAM = "telegram"
# The update types the bot handles; setWebhook and getUpdates ask for exactly these.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
# A flood-control pause this short is waited out in place; a longer one hands the
# message back to the outbox (requeued for the end of the pause) so a dispatcher pass
# never sits idle for long while other channels' messages wait.
MAX_INLINE_PAUSE_SECONDS = 5.0
# Chats whose per-chat bucket is kept. At 30 messages a second it takes over two minutes
# to touch this many chats, so an evicted bucket is long since empty: nothing is lost.
MAX_TRACKED_CHATS = 4096
# Long messages sent in parts remember how far they got, so a retry does not repeat the
# parts already delivered (in this process; after a crash a part may repeat).
MAX_TRACKED_PARTIAL = 1024
GETME_RETRY_MAX_SECONDS = 300.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # cheap phones: no preview downloads


def build_bot(settings: Settings) -> Bot:
    """A PTB Bot against TELEGRAM_API_BASE_URL (api.telegram.org or a self-hosted server)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    timeout = settings.telegram_request_timeout_seconds
    request = HTTPXRequest(
        connection_pool_size=64,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=timeout,
    )
    # getUpdates holds its connection open for the long-poll time; PTB adds that time to
    # the read timeout itself, so its request only needs its own connection.
    updates_request = HTTPXRequest(
        connection_pool_size=1, connect_timeout=timeout, read_timeout=timeout
    )
    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        request=request,
        get_updates_request=updates_request,
    )


def retry_after_seconds(exc: RetryAfter) -> float:
    # PTB 22 is moving `retry_after` from int to timedelta and warns on every read;
    # accept both without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# The share of Telegram's limits the pacer uses: overall, and to one chat (where a single
# message late by a few tens of milliseconds would already be too close to the next).
HEADROOM = 0.97
CHAT_HEADROOM = 0.9
GLOBAL_SLACK = 4


class Pacer:
    """Global and per-chat send rates, and Telegram's flood-control pause."""

    def __init__(self, per_second: float, per_chat_per_second: float) -> None:
        # Evenly spaced, a little under the limits, in bursts of at most a few: a burst of
        # a whole second's allowance lands on Telegram's side squeezed by network jitter,
        # and every 429 it provokes pauses the whole bot (bench/dispatch.py).
        self._per_chat_period = 1.0 / (per_chat_per_second * CHAT_HEADROOM)
        # A few sends of slack, so the pause between two claimed batches is made up.
        self._global = AsyncLimiter(
            max_rate=GLOBAL_SLACK, time_period=GLOBAL_SLACK / (per_second * HEADROOM)
        )
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._last_sent: OrderedDict[int, float] = OrderedDict()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    def remaining_pause(self) -> float:
        return max(0.0, self._paused_until - asyncio.get_running_loop().time())

    async def wait(self, chat_id: int) -> None:
        await self._wait_out_pause()
        await self._chat(chat_id).acquire()
        await self._global.acquire()
        await self._wait_out_pause()  # a 429 may have come in while this send queued
        # The chat's turn was taken before the wait for the global rate, which differs
        # from one send to the next: space the sends themselves, as Telegram sees them.
        loop = asyncio.get_running_loop()
        early = self._last_sent.get(chat_id, -math.inf) + self._per_chat_period - loop.time()
        if early > 0:
            await asyncio.sleep(early)
        self._last_sent[chat_id] = loop.time()
        self._last_sent.move_to_end(chat_id)
        if len(self._last_sent) > MAX_TRACKED_CHATS:
            self._last_sent.popitem(last=False)

    async def _wait_out_pause(self) -> None:
        remaining = self.remaining_pause()
        if remaining > MAX_INLINE_PAUSE_SECONDS:
            # Not tried at all: the attempt is not counted against the message.
            raise TransientSendError(
                "telegram flood control pause", retry_after=remaining, consumes_attempt=False
            )
        if remaining > 0:
            await asyncio.sleep(remaining)

    def _chat(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = self._chats[chat_id] = AsyncLimiter(1, self._per_chat_period)
            if len(self._chats) > MAX_TRACKED_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter


class TelegramChannel:
    name = TELEGRAM

    def __init__(self, settings: Settings, *, getme_retry_seconds: float = 5.0) -> None:
        self._token = settings.telegram_bot_token or ""
        self.bot = build_bot(settings)
        self._rates = (settings.telegram_messages_per_second, settings.telegram_per_chat_per_second)
        self._pacer: Pacer | None = None
        self._partial: OrderedDict[int, tuple[int, str]] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._getme_retry_seconds = getme_retry_seconds
        self._getme_task: asyncio.Task[None] | None = None
        self.username: str | None = None

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Call getMe once for the bot's username (for t.me invite links).

        If Telegram cannot be reached, start-up goes on: the admin API and the other
        channels must not go down with it, Telegram keeps re-sending updates to the
        webhook, and sends are retried by the outbox. The failure is logged at ERROR and
        getMe is retried in the background with backoff until it succeeds; until then
        invites carry no telegram_link.
        """
        if not await self._get_me():
            self._getme_task = asyncio.get_running_loop().create_task(self._get_me_until_known())

    async def stop(self) -> None:
        if self._getme_task is not None:
            self._getme_task.cancel()
            await asyncio.gather(self._getme_task, return_exceptions=True)
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            # Give button acknowledgements in flight a moment, then drop the rest.
            _done, still = await asyncio.wait(pending, timeout=3)
            for task in still:
                task.cancel()
            await asyncio.gather(*still, return_exceptions=True)
        await self.bot.shutdown()

    async def _get_me(self) -> bool:
        try:
            await self.bot.initialize()
        except TelegramError as exc:
            # Only the type: PTB's InvalidToken message contains the token itself.
            log.error(
                "telegram getMe failed; the channel starts without the bot's username",
                extra={"channel": TELEGRAM, "error": type(exc).__name__},
            )
            return False
        self.username = self.bot.username
        log.info("telegram bot ready", extra={"channel": TELEGRAM, "bot": self.username})
        return True

    async def _get_me_until_known(self) -> None:
        delay = self._getme_retry_seconds
        while True:
            await asyncio.sleep(delay)
            if await self._get_me():
                return
            delay = min(delay * 2, GETME_RETRY_MAX_SECONDS)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run provider calls that follow a commit (button acknowledgements) off the
        request path; kept referenced so they are not garbage-collected mid-flight."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def deep_link(self, code: str) -> str | None:
        """https://t.me/<bot>?start=<code>, or None while the username is unknown."""
        if self.username is None:
            return None
        return create_deep_linked_url(self.username, code)

    # -- sending ----------------------------------------------------------------------

    async def send(self, message: OutboundMessage) -> SendResult:
        chat_id = _chat_id(message.address)
        try:
            markup = keyboard(message.choices)
        except CallbackDataTooLong as exc:
            raise PermanentSendError(f"telegram: {exc}") from None
        parts = split_text(message.text)
        if not parts[0]:
            raise PermanentSendError("telegram: empty message text")
        done, provider_id = self._partial.pop(message.message_id, (0, ""))
        pacer = self._get_pacer()
        for index in range(done, len(parts)):
            last = index == len(parts) - 1
            try:
                await pacer.wait(chat_id)
                sent = await self.bot.send_message(
                    chat_id=chat_id,
                    text=to_html(parts[index]),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    link_preview_options=NO_PREVIEW,
                )
            except (TelegramError, TransientSendError) as exc:
                error = exc if isinstance(exc, TransientSendError) else self._translate(exc)
                if index > 0 and isinstance(error, TransientSendError):
                    self._remember_partial(message.message_id, index, provider_id)
                raise error from None
            # Message ids are per chat; with the chat id the keyboard can be edited later.
            provider_id = f"{chat_id}:{sent.message_id}"
        return SendResult(provider_message_id=provider_id, status="sent")

    def _get_pacer(self) -> Pacer:
        # Built on first use so its limiters belong to the loop that sends.
        if self._pacer is None:
            self._pacer = Pacer(*self._rates)
        return self._pacer

    def _remember_partial(self, message_id: int, done: int, provider_id: str) -> None:
        self._partial[message_id] = (done, provider_id)
        if len(self._partial) > MAX_TRACKED_PARTIAL:
            self._partial.popitem(last=False)

    def _translate(self, exc: TelegramError) -> TransientSendError | PermanentSendError:
        reason = self._scrub(f"telegram {type(exc).__name__}: {exc.message}")
        extra = {"channel": TELEGRAM, "error": type(exc).__name__}
        if isinstance(exc, RetryAfter):
            seconds = retry_after_seconds(exc)
            self._get_pacer().pause(seconds)
            log.warning("telegram flood control", extra={**extra, "retry_after": seconds})
            return TransientSendError(reason, retry_after=seconds)
        if isinstance(exc, Forbidden):
            # Blocked by the user, account deleted: this chat will not take messages.
            log.info("telegram chat unreachable", extra=extra)
            return PermanentSendError(reason, identity_unreachable=True)
        if isinstance(exc, BadRequest):  # before NetworkError: BadRequest subclasses it
            unreachable = "chat not found" in exc.message.lower()
            log.warning("telegram refused the message", extra=extra)
            return PermanentSendError(reason, identity_unreachable=unreachable)
        if isinstance(exc, InvalidToken):
            # A deployment problem, not the person's: keep the message and retry slowly.
            log.error("telegram rejected the bot token", extra=extra)
            return TransientSendError(reason, retry_after=GETME_RETRY_MAX_SECONDS)
        # TimedOut, NetworkError (connection trouble, 5xx): the outbox backs off and retries.
        log.warning("telegram send failed; will retry", extra=extra)
        return TransientSendError(reason)

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "[token]") if self._token else text

    # -- after an inbound button press ------------------------------------------------

    async def acknowledge_press(
        self, callback_query_id: str, keyboard_at: tuple[int, int] | None = None
    ) -> None:
        """Stop the button's spinner and remove the keyboard of the message at
        `keyboard_at` (chat id, message id), so an old button cannot be pressed twice.
        Failures are only logged: the press itself is already stored and answered."""
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed", extra={"error": type(exc).__name__})
        if keyboard_at is None:
            return
        chat_id, message_id = keyboard_at
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None
            )
        except TelegramError as exc:
            # "message is not modified" (already removed) or too old to edit: harmless.
            log.info("removing a keyboard failed", extra={"error": type(exc).__name__})


def telegram_link(channels: Mapping[str, object], code: str) -> str | None:
    """The deep link for an invite when the Telegram channel is on and knows its name."""
    channel = channels.get(TELEGRAM)
    return channel.deep_link(code) if isinstance(channel, TelegramChannel) else None


def _chat_id(address: str) -> int:
    try:
        return int(address)
    except ValueError:
        raise PermanentSendError(
            "telegram: address is not a chat id", identity_unreachable=True
        ) from None
