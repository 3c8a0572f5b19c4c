"""Pure ASGI middleware that guards every response of the app, whatever route answers.

- `SecurityHeaders`: nosniff, frame denial, no referrer, a closed Content-Security-Policy
  and no caching on JSON, HSTS in production.
- `CatchAll`: an exception nothing else handled becomes a JSON 500, logged with its type
  and route only: a traceback can carry a name or a phone number in its message.
- `BodySizeLimit`: a request body over the limit is refused with 413 before the app reads
  it (from Content-Length), and a streamed (chunked) body is counted as it arrives, so a
  huge body is never held in memory or parsed, not even to answer 401.

Outermost first: SecurityHeaders → CatchAll → BodySizeLimit → the app, so the 413 and
500 answers carry the headers too (`install` adds them in that order).
"""

from __future__ import annotations

import json
import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
# A JSON answer loads nothing and may not be framed; nor kept in a shared cache.
JSON_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "cache-control": "no-store",
}
HSTS = "max-age=63072000; includeSubDomains"


async def send_json(send: Send, status: int, detail: str, *, close: bool = False) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def route_of(scope: Scope) -> str:
    """The route's template (`/api/v1/persons/{person_id}`), never values from the path."""
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                extra = dict(BASE_HEADERS)
                if headers.get("content-type", "").startswith("application/json"):
                    extra.update(JSON_HEADERS)
                if self.hsts:
                    extra["strict-transport-security"] = HSTS
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CatchAll:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # Type and route only: no message, no traceback, no locals (they held the
            # values the client sent). Not re-raised, so the server logs nothing more.
            log.error(
                "unhandled error",
                extra={
                    "error": type(exc).__name__,
                    "method": scope.get("method"),
                    "route": route_of(scope),
                },
            )
            if not started:
                await send_json(send, 500, "Internal error.")


class BodyTooLarge(Exception):
    """The streamed request body passed the limit."""


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    @property
    def refusal(self) -> str:
        return f"Request body too large (at most {self.max_bytes} bytes)."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await send_json(send, 400, "Invalid Content-Length header.", close=True)
            return
        if declared is not None and declared > self.max_bytes:
            await send_json(send, 413, self.refusal, close=True)
            return

        received = 0
        overflowed = False
        started_before_overflow = False

        async def counting_receive() -> Message:
            nonlocal received, overflowed
            if overflowed:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started_before_overflow
            if overflowed and not started_before_overflow:
                return  # whatever the app made of the broken read, the answer is 413
            if message["type"] == "http.response.start":
                started_before_overflow = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        if overflowed and not started_before_overflow:
            await send_json(send, 413, self.refusal, close=True)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent (chunked), -1 when not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) <= 20 else -1
    return None
