"""A fake Telegram Bot API server: real HTTP on loopback, Bot API-shaped JSON.

python-telegram-bot talks to it exactly as to api.telegram.org (point
`TELEGRAM_API_BASE_URL` at `fake.base_url`). It answers the methods Jolserik uses,
records every call, and can be scripted to answer the next call of a method with a 429
`retry_after`, a 403 "blocked", a 400, a 5xx, or to hang past the client's timeout.
"""

from __future__ import annotations

import asyncio
import html
import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456789:AAE-fake_Telegram_token_for_tests_0123"
BOT_ID = 123456789
BOT_USERNAME = "jolserik_test_bot"
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
STRING_FIELDS = frozenset({"text", "parse_mode", "url", "secret_token", "callback_query_id"})


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request arrived


@dataclass
class Scripted:
    """One scripted answer: an HTTP status and Bot API body, optionally after a delay."""

    status: int
    body: dict[str, Any]
    delay: float = 0.0


def ok() -> Scripted:
    """Answer this call normally (to script a failure for a later call)."""
    return Scripted(0, {})


def retry_after(seconds: int) -> Scripted:
    return Scripted(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {seconds}",
            "parameters": {"retry_after": seconds},
        },
    )


def blocked() -> Scripted:
    return error(403, "Forbidden: bot was blocked by the user")


def error(status: int, description: str) -> Scripted:
    return Scripted(status, {"ok": False, "error_code": status, "description": description})


def server_error(status: int = 502) -> Scripted:
    return error(status, "Bad Gateway" if status == 502 else "Internal Server Error")


def hang(seconds: float) -> Scripted:
    """Answer only after `seconds` (longer than the client waits: it times out first)."""
    return Scripted(200, {"ok": True, "result": True}, delay=seconds)


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] = field(default_factory=list)
    last_error_date: int | None = None
    last_error_message: str | None = None


class FakeBotApi:
    def __init__(self, username: str = BOT_USERNAME) -> None:
        self.username = username
        self._lock = threading.Lock()
        self._released = threading.Event()
        self.calls: list[Call] = []
        self._script: dict[str, deque[Scripted]] = defaultdict(deque)
        self._message_ids: dict[int, int] = defaultdict(int)
        self.webhook = WebhookState()
        self.updates: list[dict[str, Any]] = []
        self._buckets: dict[int | None, tuple[float, float]] = {}
        self.limits: tuple[float, float] | None = None
        self.refused: int = 0  # sendMessage calls answered 429 by enforce_limits
        self.refused_for_chat: int = 0  # of which over the per-chat limit
        # The limits' clock; a test of the limiter itself sets one it moves by hand.
        self.clock: Callable[[], float] = time.monotonic
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Bot API server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def reset(self) -> None:
        """Forget calls, scripts, webhook and updates (the server keeps running)."""
        self._released.set()
        with self._lock:
            self.calls.clear()
            self._script.clear()
            self._message_ids.clear()
            self.webhook = WebhookState()
            self.updates.clear()
            self.limits = None
            self.refused = 0
            self.refused_for_chat = 0
            self._buckets.clear()
            self.clock = time.monotonic
        self._released = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- scripting and inspection ------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        """The next calls of `method` get these answers, in order; later calls succeed."""
        with self._lock:
            self._script[method].extend(answers)

    def enforce_limits(self, overall: float = 30, per_chat: float = 1) -> None:
        """Answer sendMessage with 429 `retry_after` beyond `overall` messages a second
        and `per_chat` a second to one chat, as Telegram does: token buckets that hold a
        second's worth (one message for a chat) and refill continuously."""
        with self._lock:
            self.limits = (overall, per_chat)
            self._buckets.clear()

    def _take(self, key: int | None, rate: float, now: float) -> bool:
        capacity = max(1.0, rate)
        tokens, at = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - at) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True

    def _over_limits(self, chat_id: int) -> bool:
        if self.limits is None:
            return False
        overall, per_chat = self.limits
        now = self.clock()
        with self._lock:
            # Checked both before taking either, so a refused call costs no token.
            chat_ok = self._take(chat_id, per_chat, now)
            if not chat_ok:
                self.refused += 1
                self.refused_for_chat += 1
                return True
            if not self._take(None, overall, now):
                tokens, at = self._buckets[chat_id]
                self._buckets[chat_id] = (tokens + 1.0, at)  # give the chat's token back
                self.refused += 1
                return True
        return False

    def push_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        raise AssertionError(
            f"expected {count} {method} calls within {timeout}s, got {self.calls_to(method)}"
        )

    # -- the HTTP side -----------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != TOKEN:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await _params(request)
        with self._lock:
            self.calls.append(Call(method, params, time.monotonic()))
            scripted = self._script[method].popleft() if self._script[method] else None
        if scripted is not None and scripted.status:
            if scripted.delay:
                await self._sleep(scripted.delay)
            return JSONResponse(scripted.body, status_code=scripted.status)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _fail(404, "Not Found: method not found")
        return await handler(params)

    async def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        released = self._released  # reset() swaps in a fresh event; keep this one
        # A threading.Event: the test thread releases hangs, not this event loop.
        while time.monotonic() < deadline and not released.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    def _me(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Jolserik",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message(self, chat_id: int, message_id: int, **extra: Any) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "from": self._me(),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "date": int(time.time()),
            **extra,
        }

    async def _api_getMe(self, params: dict[str, Any]) -> JSONResponse:
        return _ok(self._me())

    async def _api_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        text = str(params.get("text", ""))
        visible = html.unescape(text) if params.get("parse_mode") == "HTML" else text
        if not visible.strip():
            return _fail(400, "Bad Request: message text is empty")
        if len(visible.encode("utf-16-le")) // 2 > MAX_TEXT:
            return _fail(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
                    return _fail(400, "Bad Request: BUTTON_DATA_INVALID")
        chat_id = int(params["chat_id"])
        if self._over_limits(chat_id):
            return JSONResponse(retry_after(1).body, status_code=429)
        with self._lock:
            self._message_ids[chat_id] += 1
            message_id = self._message_ids[chat_id]
        extra: dict[str, Any] = {"text": visible}
        if markup:
            extra["reply_markup"] = markup
        return _ok(self._message(chat_id, message_id, **extra))

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> JSONResponse:
        if not params.get("callback_query_id"):
            return _fail(400, "Bad Request: query is too old and response timeout expired")
        return _ok(True)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> JSONResponse:
        chat_id = int(params["chat_id"])
        return _ok(self._message(chat_id, int(params["message_id"]), text="(edited)"))

    async def _api_setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            return _fail(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        with self._lock:
            self.webhook.url = url
            self.webhook.secret_token = params.get("secret_token")
            self.webhook.allowed_updates = list(params.get("allowed_updates") or [])
            if params.get("drop_pending_updates"):
                self.updates.clear()
        return _ok(True, description="Webhook was set")

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> JSONResponse:
        with self._lock:
            self.webhook.url = ""
            if params.get("drop_pending_updates"):
                self.updates.clear()
        return _ok(True, description="Webhook was deleted")

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> JSONResponse:
        with self._lock:
            info: dict[str, Any] = {
                "url": self.webhook.url,
                "has_custom_certificate": False,
                "pending_update_count": len(self.updates),
            }
            if self.webhook.url:
                info["max_connections"] = 40
                if self.webhook.allowed_updates:
                    info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return _ok(info)

    async def _api_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        if self.webhook.url:
            return _fail(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                # Like Telegram: an offset confirms (forgets) every update below it.
                self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]
                pending = list(self.updates[: int(params.get("limit") or 100)])
            if pending or time.monotonic() >= deadline or self._released.is_set():
                return _ok(pending)
            await asyncio.sleep(0.02)


async def _params(request: Request) -> dict[str, Any]:
    """PTB posts form fields whose values are JSON (strings stay plain); accept JSON too."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return json.loads(body) if body else {}
    form = await request.form()
    params: dict[str, Any] = {}
    for key, value in form.multi_items():
        raw = str(value)
        if key in STRING_FIELDS:
            params[key] = raw  # sent as is: "123" here is a string, not a number
            continue
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


def _ok(result: Any, description: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JSONResponse(body)


def _fail(status: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error_code": status, "description": description}, status_code=status
    )
