"""How the runtime wires the inbound store and the processor together."""

from __future__ import annotations

from bot.core.runtime import Runtime
from bot.core.settings import Settings


def test_the_processor_gives_way_to_stores_on_sqlite_only(settings: Settings) -> None:
    """On SQLite the processor's batch holds the write lock the webhooks' stores wait for,
    so it commits as soon as one waits; on PostgreSQL nothing waits for it, and cutting
    its batches short would only cost throughput."""
    runtime = Runtime.build(settings, with_worker=False)
    try:
        if runtime.engine.dialect.name == "sqlite":
            assert runtime.processor.yield_to == runtime.inbound_store.has_waiting
        else:
            assert runtime.processor.yield_to is None
    finally:
        runtime.engine.dispose()
