"""What every sweep shares: its summary, and the batch loop that claims rows in one
transaction and isolates each row in a savepoint, so one bad row is logged and skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from bot.core.db import session_scope
from bot.scheduling.claim import lock_batch

log = logging.getLogger(__name__)


@dataclass
class SweepSummary:
    name: str
    processed: int = 0
    skipped: int = 0
    errors: int = 0
    unavailable: bool = False  # the database could not be reached

    def as_log(self) -> dict[str, object]:
        return {
            "sweep": self.name,
            "processed": self.processed,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def sweep_in_batches(
    engine: Engine,
    summary: SweepSummary,
    query: Callable[[], SelectOfScalar[Any]],
    handle: Callable[[Session, Any], bool],
    *,
    batch: int,
    preload: Callable[[Session, list[Any]], None] | None = None,
    on_error: Callable[[Session, Any], None] | None = None,
    isolate_rows: bool = True,
) -> SweepSummary:
    """Claim up to `batch` rows of `query()` at a time until fewer come back.

    `handle` returns True when it did the row's work and False when it skipped it; it must
    change the row so that `query()` no longer selects it, or the loop would not end.
    `isolate_rows=False` skips the per-row savepoint for work too simple to fail alone."""
    while True:
        with session_scope(engine) as session:
            rows = lock_batch(session, query().limit(batch))
            if preload is not None and rows:
                preload(session, rows)
            for row in rows:
                row_id = getattr(row, "id", None)
                try:
                    if isolate_rows:
                        with session.begin_nested():
                            done = handle(session, row)
                    else:
                        done = handle(session, row)
                    summary.processed += int(done)
                    summary.skipped += int(not done)
                except Exception:
                    log.exception("sweep row failed", extra={"sweep": summary.name, "row": row_id})
                    summary.errors += 1
                    if on_error is not None:
                        on_error(session, row)
        if len(rows) < batch:
            return summary
