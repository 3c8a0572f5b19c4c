"""One line that says what is wrong and how to fix it, for the failures an operator meets
first: a malformed DATABASE_URL, a driver that is not installed, a database that cannot be
reached, an unknown migration revision, a port already in use. The command line prints it
instead of a traceback (which `--debug` still shows)."""

from __future__ import annotations

import errno
import ipaddress
import socket
from typing import Any

from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

URL_EXAMPLES = "sqlite:///var/jolserik.sqlite3 or postgresql+psycopg://user@host:5432/jolserik"
# The drivers this project supports, and how to install each.
DRIVER_HINTS = {
    "psycopg": "install the postgres extra: pip install 'jolserik[postgres]' (or -e '.[postgres]')",
    "psycopg2": "use postgresql+psycopg:// (psycopg 3, the postgres extra) instead",
}


def _where(database_url: str) -> str:
    try:
        url = make_url(database_url)
    except ArgumentError:
        return "the configured database"
    if url.get_backend_name() == "sqlite":
        return f"the SQLite file {url.database}"
    port = f":{url.port}" if url.port else ""
    return f"{url.host or 'localhost'}{port}/{url.database or ''}"


def explain(exc: BaseException, database_url: str = "") -> str | None:
    """A one-line explanation of `exc`, or None when it is not one we know how to explain."""
    if isinstance(exc, ArgumentError) and "URL" in str(exc):
        return f"DATABASE_URL is not a database URL; expected e.g. {URL_EXAMPLES}."
    if isinstance(exc, NoSuchModuleError):
        kind = str(exc).rpartition(":")[2] or "?"
        return (
            f"DATABASE_URL names a database this project does not support ({kind}); "
            f"use {URL_EXAMPLES}."
        )
    if isinstance(exc, ModuleNotFoundError):
        driver = (exc.name or "").split(".")[0]
        hint = DRIVER_HINTS.get(driver, f"use {URL_EXAMPLES}")
        return f"The database driver '{driver}' is not installed; {hint}."
    if isinstance(exc, OperationalError):
        return (
            f"Cannot reach the database at {_where(database_url)}: is it running, and are "
            "DATABASE_URL's host, port, name and credentials right?"
        )
    if isinstance(exc, CommandError) and "locate revision" in str(exc):
        return (
            "Unknown migration revision; run `jolserik db upgrade` with no argument to go to "
            "the newest, or see migrations/versions/ for the revisions there are."
        )
    return None


def check_port_free(host: str, port: int) -> str | None:
    """None when (host, port) can be listened on now, else what to do about it."""
    try:
        ip = ipaddress.ip_address(host)
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        kind, proto = socket.SOCK_STREAM, 0
        address: tuple[Any, ...] = (host, port)
    except ValueError:  # a name (localhost): resolve it as uvicorn will
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except socket.gaierror:
            return f"Cannot listen on {host}: not a known interface or address."
        family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"Port {port} on {host} is already in use: stop the other server or choose "
                    f"another port (--port {port + 1}, or PORT={port + 1} make run)."
                )
            return f"Cannot listen on {host}:{port}: {exc.strerror}."
    return None
