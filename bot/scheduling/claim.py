"""Row claiming shared by the sweeps."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.db import is_sqlite


def lock_batch(session: Session, statement: SelectOfScalar[Any]) -> list[Any]:
    """Lock and return a batch of rows for this transaction.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint batches.
    SQLite: every transaction starts with BEGIN IMMEDIATE (see bot/db.py), so a sweep's
    transaction holds the write lock and no other writer can claim the same rows.
    """
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        statement = statement.with_for_update(skip_locked=True)
    return list(session.exec(statement).all())
