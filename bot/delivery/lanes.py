"""One dispatch loop per channel, behind the single Dispatcher interface the worker uses."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.channels.base import ChannelAdapter
from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.delivery.outbox import Dispatcher, DispatchSummary, Lane


class DispatcherLanes:
    """A dispatcher for each configured channel, plus one for messages on channels this
    process cannot send (they time out and fall back instead of waiting forever)."""

    def __init__(
        self,
        engine: Engine,
        channels: dict[str, ChannelAdapter],
        *,
        batch_size: int = 100,
        max_attempts: int = 8,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        settings: Settings | None = None,
    ) -> None:
        names = tuple(sorted(channels))
        lanes = [Lane(channels=(name,)) for name in names] + [Lane(channels=names, exclude=True)]
        self.dispatchers = [
            Dispatcher(
                engine,
                channels,
                batch_size=batch_size,
                max_attempts=max_attempts,
                poll_seconds=poll_seconds,
                clock=clock,
                lane=lane,
                settings=settings,
            )
            for lane in lanes
        ]

    def wake(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.wake()

    def stop(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.stop()

    async def run_forever(self) -> None:
        await asyncio.gather(*(d.run_forever() for d in self.dispatchers))

    async def run_once(self) -> DispatchSummary:
        total = DispatchSummary()
        for summary in await asyncio.gather(*(d.run_once() for d in self.dispatchers)):
            total.add(summary)
        return total
