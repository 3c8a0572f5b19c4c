"""One pure ASGI middleware that guards every response of the app, whatever route answers.

In the order a request meets them:
- security headers: nosniff, frame denial, no referrer, a closed Content-Security-Policy
  and no caching on JSON, HSTS in production — on every answer, the guard's own included;
- the catch-all: an exception nothing else handled becomes a JSON 500, logged with its type
  and route only (a traceback can carry a name or a phone number in its message);
- the body-size limit: a body over the limit is refused with 413 before the app reads it
  (from Content-Length), and a streamed (chunked) body is counted as it arrives, so a huge
  body is never held in memory or parsed, not even to answer 401;
- the client's address, noted for the audit trail while the app serves the request
  (bot/core/client_address.py);
- the access log: one line per request with its method, route template, status and time —
  never the path's values or the query string, which can hold a phone number or a token
  (uvicorn's own access log, which writes both and the client's address, is off: see
  `server_options` in bot/core/serving.py).

One middleware rather than four: each layer wrapped `send` and `receive` again for every
request, which cost more than a stored webhook update's own checks (the four took the
webhook from 4,294 to 3,797 requests a second on one CPU).
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.client_address import client_address

log = logging.getLogger(__name__)
access = logging.getLogger("jolserik.access")

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
    """The route's template (`/api/v1/persons/{person_id}`), never values from the path.
    FastAPI keeps an included router's routes without the router's prefix (`scope["route"]`
    is `/persons/{person_id}`); the route context it notes in the scope has the whole
    template, so that is read first, and the route's own path when it is not there."""
    noted = scope.get("fastapi")
    context = noted.get("effective_route_context") if isinstance(noted, dict) else None
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else "unmatched"


class BodyTooLarge(Exception):
    """The streamed request body passed the limit."""


class Guard:
    def __init__(self, app: ASGIApp, *, max_bytes: int, hsts: bool) -> None:
        self.app = app
        self.max_bytes = max_bytes
        extra = dict(BASE_HEADERS)
        if hsts:
            extra["strict-transport-security"] = HSTS
        self._headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()]
        self._json_headers = [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in JSON_HEADERS.items()
        ]

    @property
    def refusal(self) -> str:
        return f"Request body too large (at most {self.max_bytes} bytes)."

    def _with_headers(self, message: Message) -> Message:
        """The response start with the guard's headers added where the app set none."""
        headers = list(message.get("headers", ()))
        present = {name.lower() for name, _ in headers}
        is_json = any(
            name.lower() == b"content-type" and value.startswith(b"application/json")
            for name, value in headers
        )
        for name, value in self._headers + (self._json_headers if is_json else []):
            if name not in present:
                headers.append((name, value))
        return {**message, "headers": headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                with client_address(scope):
                    await self.app(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return

        began = time.perf_counter()
        status = 0

        async def send_guarded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = self._with_headers(message)
            await send(message)

        try:
            await self._guarded(scope, receive, send_guarded)
        finally:
            if access.isEnabledFor(logging.INFO):
                access.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "route": route_of(scope),
                        "status": status,
                        "ms": round((time.perf_counter() - began) * 1000, 1),
                    },
                )

    async def _guarded(self, scope: Scope, receive: Receive, send_guarded: Send) -> None:
        declared = _content_length(scope)
        if declared == -1:
            await send_json(send_guarded, 400, "Invalid Content-Length header.", close=True)
            return
        if declared is not None and declared > self.max_bytes:
            await send_json(send_guarded, 413, self.refusal, close=True)
            return

        received = 0
        overflowed = False
        started = False

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

        async def app_send(message: Message) -> None:
            nonlocal started
            if overflowed and not started:
                return  # whatever the app made of the broken read, the answer is 413
            if message["type"] == "http.response.start":
                started = True
            await send_guarded(message)

        try:
            with client_address(scope):
                await self.app(scope, counting_receive, app_send)
        except BodyTooLarge:
            pass
        except Exception as exc:
            if not overflowed:
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
                    await send_json(send_guarded, 500, "Internal error.")
                return
        if overflowed and not started:
            await send_json(send_guarded, 413, self.refusal, close=True)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent (chunked), -1 when not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) <= 20 else -1
    return None
