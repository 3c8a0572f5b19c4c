"""The client address of the request being served, for the audit trail.

The app's guard (bot/core/middleware.py) stores `scope["client"]` (uvicorn has already
applied the proxy headers it trusts) in a context variable for the length of the request, so
`bot.core.audit.record` can note where every change came from without each view passing
it. Outside a request (the worker's sweeps) there is no address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from starlette.types import Scope

MAX_ADDRESS_CHARS = 64  # the width of audit_event.address

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def current_client_address() -> str | None:
    """The address of the client whose request is being served; None outside a request."""
    return _client_address.get()


@contextmanager
def client_address(scope: Scope) -> Iterator[None]:
    """Note the client of the request in `scope` for as long as it is served."""
    client = scope.get("client")
    host = client[0] if client else None
    token = _client_address.set(host[:MAX_ADDRESS_CHARS] if host else None)
    try:
        yield
    finally:
        _client_address.reset(token)
