"""The access log of the running server: one line per request from the app's guard, with
the route's template, never the path's values, the query string or the client's address
(uvicorn's own access log, which writes all three, is off in `serve`)."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.core.settings import Settings
from tests.live_server import LiveServer

PHONE = "+77011234567"
TOKEN = "s3cr3t-t0ken-in-a-query"  # what a careless client might send


def _everything_logged(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{r.name} {r.getMessage()} {vars(r)}" for r in records)


def test_requests_are_logged_without_their_values(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with LiveServer(settings, with_worker=False) as live:
        ok = httpx.get(f"{live.url}/healthz", params={"token": TOKEN, "phone": PHONE})
        refused = httpx.get(f"{live.url}/api/v1/persons/987654", params={"phone": PHONE})

    assert (ok.status_code, refused.status_code) == (200, 401)
    lines = [
        (r.method, r.route, r.status)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "jolserik.access"
    ]
    assert ("GET", "/healthz", 200) in lines
    assert ("GET", "/api/v1/persons/{person_id}", 401) in lines
    # uvicorn's access log would carry the query string and the client's address.
    assert not [r for r in caplog.records if r.name == "uvicorn.access"]
    logged = _everything_logged(caplog.records)
    for value in (TOKEN, PHONE, "77011234567", "987654"):
        assert value not in logged, value
