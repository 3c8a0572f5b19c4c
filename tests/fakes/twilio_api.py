"""A fake Twilio REST API on loopback: real HTTP, the Messages resource only.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` checks Basic auth and the required
fields as Twilio does, answers with a Twilio-shaped Message resource and a new `SM…` sid,
and records every call. Tests script the next answers: a Twilio error (21610, 21211,
429, 5xx... with Twilio's JSON error body), a non-JSON gateway page, or a hang.
It runs under uvicorn in a background thread, so the code under test talks to it exactly
as it would to api.twilio.com.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.core.settings import Settings

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+15005550006"
MESSAGING_SERVICE_SID = "MG" + "fedcba9876543210" * 2

ERROR_MESSAGES = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21603: "The 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    20500: "An internal server error has occurred",
    20503: "Service unavailable",
}


@dataclass(frozen=True)
class Answer:
    """One scripted answer: a Twilio error, a raw body, or a hang before answering."""

    status: int = 201
    code: int | None = None
    body: str | None = None
    hang_seconds: float = 0.0


def error(code: int, status: int = 400) -> Answer:
    return Answer(status=status, code=code)


def gateway_page(status: int = 502) -> Answer:
    """What a load balancer answers when Twilio is down: HTML, not Twilio's JSON."""
    return Answer(status=status, body="<html><body>Bad Gateway</body></html>")


def problem_details(code: int, status: int = 400) -> Answer:
    """The RFC 9457 error body some newer Twilio APIs answer with."""
    body = json.dumps(
        {
            "type": f"https://www.twilio.com/docs/errors/{code}",
            "title": ERROR_MESSAGES.get(code, "Error"),
            "status": status,
            "code": code,
        }
    )
    return Answer(status=status, body=body)


def hang(seconds: float = 30.0) -> Answer:
    return Answer(hang_seconds=seconds)


@dataclass
class Call:
    account_sid: str
    form: dict[str, str]
    authorized: bool
    at: float  # time.monotonic() when it arrived
    status: int = 0
    sid: str | None = None


@dataclass
class FakeTwilioApi:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    _script: deque[Answer] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    # Sender throughput (segments a second) beyond which a message is refused with 429
    # (code 20429); None: no limit. `refused` counts those refusals.
    segments_per_second: float | None = None
    burst: float = 0.0
    refused: int = 0
    _free_at: float = 0.0

    # --- what tests use ---------------------------------------------------------------

    def script(self, *answers: Answer) -> None:
        """The next calls get these answers, in order; then success again."""
        with self._lock:
            self._script.extend(answers)

    def enforce_throughput(self, segments_per_second: float, burst: float | None = None) -> None:
        """Refuse (429, code 20429) a message that comes while the sender is still busy
        with earlier segments (each takes 1/rate seconds), allowing `burst` segments ahead
        at most (by default a second's worth: for a long code at one a second, none)."""
        with self._lock:
            self.segments_per_second = segments_per_second
            self.burst = burst if burst is not None else segments_per_second
            self._free_at = 0.0

    def _over_throughput(self, body: str, now: float) -> bool:
        """The generic cell rate algorithm: the sender is free again at `_free_at`."""
        if self.segments_per_second is None:
            return False
        per_segment = 1.0 / self.segments_per_second
        allowance = (self.burst - 1) * per_segment
        if now < self._free_at - allowance:
            self.refused += 1
            return True
        self._free_at = max(self._free_at, now) + segments(body) * per_segment
        return False

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.calls.clear()

    def sent(self) -> list[Call]:
        """The calls Twilio accepted (what would reach phones)."""
        with self._lock:
            return [call for call in self.calls if call.sid is not None]

    def sent_to(self, number: str) -> list[str]:
        return [call.form["Body"] for call in self.sent() if call.form.get("To") == number]

    def wait_for(self, count: int, *, to: str | None = None, timeout: float = 10.0) -> list[str]:
        """Bodies accepted for `to` (or for anyone), once there are at least `count`."""
        deadline = time.monotonic() + timeout
        while True:
            bodies = self.sent_to(to) if to else [c.form["Body"] for c in self.sent()]
            if len(bodies) >= count or time.monotonic() > deadline:
                return bodies
            time.sleep(0.02)

    # --- the server -------------------------------------------------------------------

    def start(self) -> None:
        app = Starlette(
            routes=[
                Route(
                    "/2010-04-01/Accounts/{account_sid}/Messages.json",
                    self._create_message,
                    methods=["POST"],
                )
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Twilio API did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    async def _create_message(self, request: Request) -> Response:
        account_sid = request.path_params["account_sid"]
        form = {key: value for key, value in (await request.form()).multi_items()}
        call = Call(
            account_sid=account_sid,
            form={k: v for k, v in form.items() if isinstance(v, str)},
            authorized=self._authorized(request, account_sid),
            at=time.monotonic(),
        )
        with self._lock:
            self.calls.append(call)
            answer = self._script.popleft() if self._script else Answer()
            if answer == Answer() and self._over_throughput(call.form.get("Body", ""), call.at):
                answer = error(20429, 429)
        response = await self._answer(call, answer)
        call.status = response.status_code
        return response

    def _authorized(self, request: Request, account_sid: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        given = request.headers.get("authorization", "")
        return account_sid == self.account_sid and secrets.compare_digest(
            given, f"Basic {expected}"
        )

    async def _answer(self, call: Call, answer: Answer) -> Response:
        if answer.hang_seconds:
            waited = 0.0
            while waited < answer.hang_seconds and not self._stopping.is_set():
                await asyncio.sleep(0.05)
                waited += 0.05
            return _error(20503, 503)
        if not call.authorized:
            return _error(20003, 401)
        if answer.body is not None:
            return PlainTextResponse(answer.body, status_code=answer.status)
        if answer.code is not None:
            return _error(answer.code, answer.status)
        form = call.form
        if not form.get("To"):
            return _error(21604, 400)
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return _error(21603, 400)
        if not form.get("Body"):
            return _error(21602, 400)
        call.sid = "SM" + secrets.token_hex(16)
        return JSONResponse(_message_resource(call), status_code=201)


def _error(code: int, status: int) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": ERROR_MESSAGES.get(code, "Error"),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _message_resource(call: Call) -> dict[str, object]:
    form, now = call.form, formatdate(usegmt=True)
    uri = f"/2010-04-01/Accounts/{call.account_sid}/Messages/{call.sid}"
    return {
        "account_sid": call.account_sid,
        "api_version": "2010-04-01",
        "body": form["Body"],
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": "0",
        "price": None,
        "price_unit": "USD",
        "sid": call.sid,
        # A Messaging Service send starts as `accepted`, a plain one as `queued`.
        "status": "accepted" if form.get("MessagingServiceSid") else "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": form["To"],
        "uri": f"{uri}.json",
    }


PUBLIC_BASE_URL = "https://jolserik.example.org"


def segments(body: str) -> int:
    """Segments as Twilio bills them, roughly: UCS-2 (70 a message, 67 a part) once any
    character is outside ASCII, else GSM-7 (160, 153). The fake's own count, so the bot's
    segment arithmetic (bot/channels/sms/segments.py) is checked against something else."""
    single, part = (70, 67) if any(ord(char) > 127 for char in body) else (160, 153)
    return 1 if len(body) <= single else -(-len(body) // part)


def settings_for(settings: Settings, api: FakeTwilioApi, *, timeout: float) -> Settings:
    """`settings` with the SMS channel on and pointed at the fake Twilio API."""
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from_number": FROM_NUMBER,
            "twilio_api_base_url": api.url,
            "public_base_url": PUBLIC_BASE_URL,
            "sms_messages_per_second": 100.0,
            "sms_send_timeout_seconds": timeout,
        }
    )


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi()
    api.start()
    yield api
    api.stop()


@pytest.fixture
def twilio_api(twilio_server: FakeTwilioApi) -> Iterator[FakeTwilioApi]:
    twilio_server.reset()
    yield twilio_server
    twilio_server.reset()
