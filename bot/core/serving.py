"""How `serve` runs the app under uvicorn (and the tests' live server, the same way)."""

from __future__ import annotations

from typing import TypedDict


class ServerOptions(TypedDict):
    host: str
    port: int
    log_config: None
    proxy_headers: bool
    access_log: bool


def server_options(*, host: str, port: int) -> ServerOptions:
    """uvicorn's options for `serve`. Our logging is configured already (no log_config); a
    proxy's X-Forwarded-For is trusted from loopback only (uvicorn's default
    forwarded_allow_ips); and uvicorn's access log is off: it writes the path and the query
    string, which can hold a phone number or a token, and the client's address, for every
    request. The app's guard writes its own access line instead (bot/core/middleware.py)."""
    return {
        "host": host,
        "port": port,
        "log_config": None,
        "proxy_headers": True,
        "access_log": False,
    }
