"""Everything a running process holds: settings, engine, channels, the inbound store and
processor, dispatcher, worker."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.channels.base import ChannelAdapter
from bot.channels.registry import build_channels
from bot.core.db import is_sqlite, make_engine
from bot.core.settings import Settings
from bot.core.wakeups import OUTBOX_CHANNEL, Notifier, listens
from bot.delivery.lanes import DispatcherLanes
from bot.intake.processor import InboundProcessor
from bot.intake.store import GroupCommit, NewEvent, Stored
from bot.scheduling.worker import Worker
from flows.preload import load_rules_and_texts

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    channels: dict[str, ChannelAdapter]
    dispatcher: DispatcherLanes
    inbound_store: GroupCommit
    processor: InboundProcessor
    worker: Worker | None = None
    # In a process that does not send (`serve --no-worker`) on PostgreSQL: tells the
    # workers' dispatchers that something was queued, instead of their next poll.
    outbox_notice: Notifier | None = None

    @classmethod
    def build(cls, settings: Settings, *, with_worker: bool) -> Runtime:
        engine = make_engine(settings.database_url)
        channels = build_channels(settings)
        dispatcher = DispatcherLanes(
            engine,
            channels,
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
            poll_seconds=settings.outbox_poll_seconds,
            settings=settings,
        )
        processor = InboundProcessor(engine, settings, channels)
        worker = Worker(settings, engine, dispatcher, processor=processor) if with_worker else None
        # Stored events wake this process's processor, when it runs one. On SQLite the
        # processor's batch holds the one write lock the stores wait for: it commits as
        # soon as one does. (PostgreSQL's stores wait for nobody.)
        inbound_store = GroupCommit(engine, on_stored=processor.wake)
        if is_sqlite(engine):
            processor.yield_to = inbound_store.has_waiting
        runtime = cls(settings, engine, channels, dispatcher, inbound_store, processor, worker)
        if worker is None and listens(engine):
            runtime.outbox_notice = Notifier(engine, OUTBOX_CHANNEL)
        processor.on_queued = runtime.queued
        return runtime

    async def start(self) -> None:
        # Before anything is answered: the first message must not wait for the rules to
        # be parsed, and a broken rule list or catalog fails the start, not a person's
        # message.
        await asyncio.to_thread(load_rules_and_texts)
        if self.outbox_notice is not None:
            self.outbox_notice.start()
        for channel in self.channels.values():
            await channel.start()
        await self.inbound_store.start()
        if self.worker is not None:
            await self.worker.start()

    async def stop(self) -> None:
        await self.inbound_store.stop()
        if self.worker is not None:
            await self.worker.stop()
        if self.outbox_notice is not None:
            await self.outbox_notice.stop()
        for channel in self.channels.values():
            try:
                await channel.stop()
            except Exception:
                log.exception("channel stop failed", extra={"channel": channel.name})
        self.engine.dispose()

    async def receive(self, event: NewEvent) -> Stored:
        """Store an inbound event (answer the provider once this returns). Processing is
        the worker's, or, with INBOUND_PROCESSING=inline, done here before returning."""
        stored = await self.inbound_store.store(event)
        if not stored.duplicate and self.settings.inbound_processing == "inline":
            try:
                await self.processor.process_lanes([event.lane])
            except Exception as exc:
                # Stored: the worker's processor takes it up; the provider gets its 200.
                log.warning("inline processing failed", extra={"error": type(exc).__name__})
        return stored

    def queued(self) -> None:
        """Something was queued (call it after the commit): in a process that sends,
        send it now; in one that does not, on PostgreSQL, wake the workers."""
        if self.worker is not None:
            self.dispatcher.wake()
        elif self.outbox_notice is not None:
            self.outbox_notice.request()
