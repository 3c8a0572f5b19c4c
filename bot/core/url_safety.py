"""Where the service may send a partner's webhook: no server-side request forgery.

A partner types the URL; in production it must be https and must not lead to the
service's own network (loopback, private, link-local, cloud metadata...). The check runs
twice: on the URL as written when it is saved, and on the addresses its name resolves to
just before each delivery (a name can be pointed elsewhere after it was saved). The
delivery then connects to an address that was checked, not to the name again: a name
answering a public address to the check and a private one to the connection (DNS
rebinding) gets nowhere.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

MAX_URL_CHARS = 500
# Names that always mean "this machine" or a private zone, whatever DNS says.
PRIVATE_NAMES = ("localhost", "localhost.localdomain")
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


class UnsafeUrl(ValueError):
    """The URL may not be used; the message says what to fix."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_webhook_url(url: str, *, production: bool) -> str:
    """The URL, stripped, if it may be saved; raises UnsafeUrl otherwise. Outside
    production plain http and local receivers are allowed (development and tests)."""
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise UnsafeUrl(f"must be at most {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl("must be an https:// URL with a host name")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("must not contain a user name or password")
    if port == 0:
        raise UnsafeUrl("has an invalid port")
    if not production:
        return url
    if parts.scheme != "https":
        raise UnsafeUrl("must use https in production")
    host = parts.hostname.rstrip(".").lower()
    if host in PRIVATE_NAMES or host.endswith(PRIVATE_SUFFIXES):
        raise UnsafeUrl("must not point at this server or a private network")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return url  # a name: its addresses are checked before each delivery
    if not is_public_address(str(literal)):
        raise UnsafeUrl("must not point at a private, loopback or link-local address")
    return url


Resolver = Callable[..., list[tuple[Any, ...]]]


def resolved_addresses(
    url: str, *, production: bool, resolve: Resolver = socket.getaddrinfo
) -> list[str]:
    """Before sending: the addresses to connect to for `url`, in the resolver's order; in
    production every one must be public. Raises UnsafeUrl when one is not, or when the
    name does not resolve. (`resolve` is the system resolver; a deployment behind a
    split-horizon DNS may pass its own.)"""
    check_webhook_url(url, production=production)
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    try:
        infos = resolve(parts.hostname, parts.port or default_port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeUrl("host name does not resolve") from None
    addresses = list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in infos))
    if not addresses:
        raise UnsafeUrl("host name does not resolve")
    if production and not all(is_public_address(address) for address in addresses):
        raise UnsafeUrl("resolves to a private, loopback or link-local address")
    return addresses
