"""The SMS channel: Twilio's Messages API through the `twilio` package.

Design choices, and why:
- Async all the way: the twilio client's `create_async` with an `AsyncHttpClient` of our
  own on httpx (already a dependency), so a send occupies no thread and a hung Twilio
  costs one timeout, not a blocked worker thread.
- `TWILIO_API_BASE_URL` is honoured in that HTTP client, by moving each request the
  library builds onto the configured origin. A custom HTTP client is the route Twilio
  support gives for proxies and mock servers (twilio-python issue #521); the client's
  `edge`/`region` settings can only name other *.twilio.com hosts.
- Retries are the dispatcher's: Twilio 429 and 5xx (and timeouts) raise TransientSendError,
  and the dispatcher backs off. 21610 (the person said STOP) and invalid numbers raise
  PermanentSendError so the identity is marked and the person is tried elsewhere.
- Sends are paced per sender, counting segments, because that is what a sender's
  throughput is measured in (a long code: about one segment a second).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.base.exceptions import (
    TwilioException,
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError
from bot.channels.sms.render import render_sms
from bot.channels.sms.segments import count_segments
from bot.core.settings import Settings

log = logging.getLogger(__name__)

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"

# Twilio error codes (https://www.twilio.com/docs/api/errors) that say the identity itself
# cannot be reached: the person opted out, or the number cannot receive SMS.
OPTED_OUT_CODES = frozenset({21610})
DEAD_NUMBER_CODES = frozenset({21211, 21612, 21614})
# Our own configuration is wrong (credentials, account, sender): nothing about the person,
# so keep the message and retry slowly while the operator fixes it.
CONFIGURATION_CODES = frozenset({20003, 20404, 21212, 21606, 21659})
CONFIGURATION_RETRY_SECONDS = 300.0
# A message waits at most this long for its pacing slot inside one dispatcher pass;
# later slots are deferred (without using an attempt) so no claim outlives its lease.
MAX_PACING_WAIT_SECONDS = 60.0
# Paced a little under the sender's rate: sends leave on time give or take a few
# milliseconds, and at exactly the rate a late one and an early one land closer together
# than the carrier allows (bench/dispatch.py --channel sms: 20429 refusals at 100 %).
HEADROOM = 0.97


class TwilioHttpxClient(AsyncHttpClient):
    """The HTTP client the twilio library calls, on httpx, optionally on another origin."""

    def __init__(self, *, base_url: str | None, timeout: float) -> None:
        super().__init__(logger=log, is_async=True, timeout=timeout)
        self._origin = urlsplit(base_url.rstrip("/")) if base_url else None
        self._client = httpx.AsyncClient(timeout=timeout)

    def rebase(self, url: str) -> str:
        """`https://api.twilio.com/2010-04-01/...` on the configured origin (and path prefix)."""
        if self._origin is None:
            return url
        parts = urlsplit(url)
        path = self._origin.path + parts.path
        return urlunsplit((self._origin.scheme, self._origin.netloc, path, parts.query, ""))

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (the twilio HttpClient interface)
        allow_redirects: bool = False,
    ) -> Response:
        # Nothing is logged here: the form carries the phone number and the text.
        response = await self._client.request(
            method.upper(),
            self.rebase(uri),
            params=params,  # type: ignore[arg-type]
            data=data,  # type: ignore[arg-type]
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        return Response(response.status_code, response.text, response.headers)

    async def close(self) -> None:
        await self._client.aclose()


class SenderPacer:
    """Spaces one sender's segments `1 / per_second` apart.

    Twilio would queue anything faster, but its queue drains at the sender's rate anyway;
    pacing here keeps a person's messages in order and lets a STOP arrive before the rest
    of a burst has left. Only one process's sends are paced: with several workers, divide
    the rate among them.
    """

    def __init__(
        self,
        per_second: float,
        *,
        max_wait: float = MAX_PACING_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / (per_second * HEADROOM)
        self.max_wait = max_wait
        self._clock = clock
        self._next_free = 0.0

    async def wait_turn(self, segments: int = 1) -> None:
        now = self._clock()
        slot = max(now, self._next_free)
        wait = slot - now
        if wait > self.max_wait:
            raise TransientSendError(
                "sender busy (paced)", retry_after=wait, consumes_attempt=False
            )
        # No await between reading and booking the slot: concurrent sends cannot take
        # the same one.
        spacing = self.interval * max(segments, 1)
        self._next_free = slot + spacing
        if wait > 0:
            await asyncio.sleep(wait)
            # A busy event loop wakes late: the next slot keeps its distance from when this
            # one really leaves, not from when it was due to.
            self._next_free = max(self._next_free, self._clock() + spacing)


class TwilioSmsChannel:
    name = "sms"

    def __init__(self, settings: Settings) -> None:
        if not settings.twilio_enabled:
            raise ValueError("the SMS channel needs a Twilio account SID, token and sender")
        self._settings = settings
        self._timeout = settings.sms_send_timeout_seconds
        self._status_callback = settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH
        # A Messaging Service picks the sender itself (and applies Advanced Opt-Out).
        self._sender: dict[str, str] = (
            {"messaging_service_sid": settings.twilio_messaging_service_sid}
            if settings.twilio_messaging_service_sid
            else {"from_": settings.twilio_from_number or ""}
        )
        self.pacer = SenderPacer(settings.sms_messages_per_second)
        self._http: TwilioHttpxClient | None = None
        self._client: Client | None = None

    async def start(self) -> None:
        self._http = TwilioHttpxClient(
            base_url=self._settings.twilio_api_base_url, timeout=self._timeout
        )
        self._client = Client(
            self._settings.twilio_account_sid,
            self._settings.twilio_auth_token,
            http_client=self._http,
        )

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = self._client = None

    async def send(self, message: OutboundMessage) -> SendResult:
        if self._client is None:
            raise TransientSendError("SMS channel not started", retry_after=30)
        body = render_sms(message.text, message.choices, message.language)
        await self.pacer.wait_turn(count_segments(body).segments)
        try:
            created = await asyncio.wait_for(
                self._client.messages.create_async(
                    to=message.address,
                    body=body,
                    status_callback=self._status_callback,
                    **self._sender,  # type: ignore[arg-type]
                ),
                # httpx enforces the timeout per phase; this bounds the whole call.
                timeout=self._timeout + 5,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            # The classic error body, or the RFC 9457 one newer Twilio APIs answer with.
            raise send_error(exc.status, exc.code, message.message_id) from None
        except (TimeoutError, httpx.TimeoutException):
            # Twilio may have accepted it before the answer was lost; a retry can then
            # send it twice (the Messages API has no idempotency key). Rare, and better
            # than a check-in never sent.
            raise TransientSendError("Twilio did not answer in time") from None
        except (httpx.HTTPError, TwilioException, ValueError) as exc:
            # Connection refused or reset, or an answer that is not Twilio's JSON.
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        if not created.sid:
            raise TransientSendError("Twilio answered without a message sid")
        return SendResult(provider_message_id=created.sid, status="sent")


def send_error(
    status: int, code: int | None, message_id: int
) -> TransientSendError | PermanentSendError:
    """What a Twilio error means for this message and this identity."""
    extra = {"message_id": message_id, "http_status": status, "twilio_code": code}
    if code in OPTED_OUT_CODES:
        log.info("sms recipient opted out", extra=extra)
        return PermanentSendError(
            f"twilio {code}: the recipient opted out",
            identity_unreachable=True,
            identity_flag="opted_out",
        )
    if code in DEAD_NUMBER_CODES:
        log.info("sms number cannot receive", extra=extra)
        return PermanentSendError(
            f"twilio {code}: the number cannot receive SMS", identity_unreachable=True
        )
    if status == 429 or code == 20429:
        return TransientSendError(f"twilio {code or status}: rate limited")
    if status >= 500:
        return TransientSendError(f"twilio {code or status}: server error")
    if code in CONFIGURATION_CODES or status in (401, 403):
        log.error("sms configuration refused by Twilio", extra=extra)
        return TransientSendError(
            f"twilio {code or status}: configuration", retry_after=CONFIGURATION_RETRY_SECONDS
        )
    log.warning("sms refused by Twilio", extra=extra)
    return PermanentSendError(f"twilio {code or status}: refused")
