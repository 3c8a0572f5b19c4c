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


async def test_starting_reads_the_rules_and_catalogs_before_any_message(
    settings: Settings,
) -> None:
    """The first message after a restart does not wait for the rules to be parsed (about
    a tenth of a second), and a broken list would fail the start instead of a message."""
    from flows.crisis import phrases
    from flows.i18n import _catalog
    from flows.understanding.concepts import rulebook

    for cached in (rulebook, phrases, _catalog):
        cached.cache_clear()
    runtime = Runtime.build(settings, with_worker=False)
    await runtime.start()
    try:
        assert rulebook.cache_info().currsize == 1
        assert phrases.cache_info().currsize == 1
        assert _catalog.cache_info().currsize == 3  # ru, kk, en
    finally:
        await runtime.stop()
