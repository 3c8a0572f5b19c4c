"""Everything a running process holds: settings, engine, channels, dispatcher, worker."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.channels.base import ChannelAdapter
from bot.channels.registry import build_channels
from bot.core.db import make_engine
from bot.core.settings import Settings
from bot.delivery.lanes import DispatcherLanes
from bot.scheduling.worker import Worker

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    channels: dict[str, ChannelAdapter]
    dispatcher: DispatcherLanes
    worker: Worker | None = None

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
        worker = Worker(settings, engine, dispatcher) if with_worker else None
        return cls(settings, engine, channels, dispatcher, worker)

    async def start(self) -> None:
        for channel in self.channels.values():
            await channel.start()
        if self.worker is not None:
            await self.worker.start()

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
        for channel in self.channels.values():
            try:
                await channel.stop()
            except Exception:
                log.exception("channel stop failed", extra={"channel": channel.name})
        self.engine.dispose()

    def queued(self) -> None:
        """Something was queued: in a process that sends, send it now."""
        if self.worker is not None:
            self.dispatcher.wake()
