"""The guards around every response: body-size limit (through a real server), security
headers, and the catch-all 500 that logs no personal data."""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from sqlmodel import select as sql_select

from bot.app import create_app
from bot.core.settings import Settings, load_settings
from bot.models import Person

LIMIT = 256 * 1024
PERSONS = "/api/v1/persons"


@pytest.fixture
def live_url(settings: Settings) -> Iterator[tuple[str, int]]:
    """The real app under uvicorn on a loopback port, as a deployment runs it."""
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield ("127.0.0.1", port)
    server.should_exit = True
    thread.join(10)


def _status_and_body(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_a_declared_300_mb_body_without_a_token_is_refused_before_it_is_sent(live_url):
    with socket.create_connection(live_url, timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/persons HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 314572800\r\n\r\n"
        )
        started = time.monotonic()
        status, body = _status_and_body(sock)  # answered without a byte of the body
    assert status == 413 and b"detail" in body
    assert time.monotonic() - started < 2


def test_a_chunked_body_is_counted_and_cut_off_at_the_limit(live_url):
    chunk = b"x" * 65536
    sent = 0
    with socket.create_connection(live_url, timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/persons HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        # Up to 300 MB, one 64 KiB chunk at a time, until the server answers.
        while sent < 300 * 1024 * 1024:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break  # the server closed the connection after answering
            sent += len(chunk)
        status, body = _status_and_body(sock)
    assert status == 413 and b"at most 262144 bytes" in body
    # Kernel buffers take a few megabytes; the server itself stopped reading at 256 KiB.
    assert sent < 32 * 1024 * 1024


def test_under_the_limit_passes_and_the_limit_is_a_setting(settings, engine):
    small = load_settings(**{**settings.model_dump(), "max_request_body_bytes": 2048})
    with TestClient(create_app(small)) as client:
        big = client.post(PERSONS, json={"display_name": "x" * 3000})
        assert big.status_code == 413
        assert big.json() == {"detail": "Request body too large (at most 2048 bytes)."}
        assert client.post(PERSONS, json={"display_name": "x"}).status_code == 401


def test_a_chunked_body_over_the_limit_in_process_is_413_and_nothing_is_stored(
    client, engine, officer
):
    def chunks() -> Iterator[bytes]:
        yield b'{"display_name": "'
        for _ in range(10):
            yield b"y" * 32768
        yield b'"}'

    response = client.post(
        PERSONS,
        content=chunks(),
        headers={**officer["headers"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Request body too large")
    with Session(engine) as session:
        assert session.exec(sql_select(Person)).all() == []


def test_security_headers_on_every_answer(client, officer):
    for response in (
        client.get("/healthz"),
        client.get(PERSONS),  # 401
        client.get(PERSONS, headers=officer["headers"]),
        client.get("/nowhere"),
        client.post(PERSONS, json={"display_name": "x" * LIMIT}),  # 413
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers  # development
    page = client.get("/simulator")
    assert page.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" not in page.headers  # its own scripts run


def test_production_adds_hsts_and_publishes_no_api_description(database_url):
    settings = load_settings(
        _env_file=None, environment="production", secret_key="s" * 48, database_url=database_url
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404


def _app_with_failing_route(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.post("/boom/{person_id}")
    def boom(person_id: int) -> None:
        raise ValueError("Aidos Serikov +77011234567")  # what a traceback once carried

    return app


def test_an_unhandled_error_is_a_json_500_logged_by_type_and_route_only(settings, caplog):
    caplog.set_level(logging.INFO)
    with TestClient(_app_with_failing_route(settings)) as client:
        response = client.post("/boom/42")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal error."}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "Aidos" not in caplog.text and "+7701" not in caplog.text
    record = next(r for r in caplog.records if r.getMessage() == "unhandled error")
    assert record.error == "ValueError" and record.route == "/boom/{person_id}"
    assert record.exc_info is None
