"""The test database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from bot.core.db import is_sqlite, make_engine


def test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return own_database(url, worker) if worker else url
    return f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def own_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker process gets a PostgreSQL database of its own beside
    the given one ("test" -> "test_gw0"), created when missing."""
    given = make_url(url)
    name = f"{given.database}_{worker}"
    server = create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def reset_schema(url: str) -> None:
    """Start from nothing, so the migrations themselves are what builds the schema."""
    engine = make_engine(url)
    try:
        if is_sqlite(engine):
            database = engine.url.database
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            return
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table between tests (much faster than rebuilding the schema)."""
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if is_sqlite(engine):
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 (our table names)
        else:
            quoted = ", ".join(f'"{name}"' for name in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        # The one row the migrations seed (bot/models/directory_version.py): without it
        # no process keeps a directory, and the tests would never see a kept one.
        conn.execute(text("INSERT INTO directory_version (id, version) VALUES (1, 0)"))
