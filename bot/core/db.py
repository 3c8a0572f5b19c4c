"""Engine and session construction. Nothing is created at import time."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

# How long a SQLite transaction waits for the write lock before it fails ("locked").
BUSY_SECONDS = 30


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """An engine whose errors and echo never show statement parameters: they hold names,
    phone numbers and what people wrote."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        _one_writer_at_a_time(engine)
        return engine
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
    )


def _one_writer_at_a_time(engine: Engine) -> None:
    """pysqlite's own transaction handling defers BEGIN until the first write and then
    cannot be told to lock early; take it over so every transaction starts with BEGIN
    IMMEDIATE. Within one process the transactions also queue on a lock first: SQLite's
    busy handler retries by sleeping (up to 100 ms a time), so thirty threads contending
    for its write lock wait far longer than they would in a queue. Other processes still
    meet busy_timeout."""
    writer = threading.Lock()

    def begin(conn: Connection) -> None:
        # As long as SQLite itself would wait (busy_timeout), then the same error, as
        # SQLAlchemy would have raised it: an unavailable database (503), not a 500.
        if not writer.acquire(timeout=BUSY_SECONDS):
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        conn.info["holds_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            end(conn)
            raise

    def end(conn: Connection) -> None:
        if conn.info.pop("holds_writer", False):
            writer.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached (as opposed to a bad statement)."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    # DB-API drivers name these the same (psycopg, sqlite3): connection refused, lost, locked.
    return type(exc.orig).__name__ in {"OperationalError", "InterfaceError"}
