"""The guard that keeps the suite on loopback really refuses anything else."""

from __future__ import annotations

import socket

import pytest

from tests.network_guard import NetworkAccessError


def test_connecting_beyond_loopback_fails_loudly():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkAccessError):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1: refused before any packet


def test_resolving_a_public_name_fails_loudly():
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("api.telegram.org", 443)


def test_loopback_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
