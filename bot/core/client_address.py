"""The client address of the request being served, for the audit trail.

A pure ASGI middleware stores `scope["client"]` (uvicorn has already applied the proxy
headers it trusts) in a context variable for the length of the request, so
`bot.core.audit.record` can note where every change came from without each view passing
it. Outside a request (the worker's sweeps) there is no address.
"""

from __future__ import annotations

from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_ADDRESS_CHARS = 64  # the width of audit_event.address

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def current_client_address() -> str | None:
    """The address of the client whose request is being served; None outside a request."""
    return _client_address.get()


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        host = client[0] if client else None
        token = _client_address.set(host[:MAX_ADDRESS_CHARS] if host else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _client_address.reset(token)
