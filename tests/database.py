"""The test database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.core.db import is_sqlite, make_engine


def test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_dir / 'test.sqlite3'}"


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
