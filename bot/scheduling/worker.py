"""The worker: the inbound processor, the outbox dispatcher, and APScheduler running a few
fixed interval sweeps.

Per-person timing lives in the database; the scheduler only knows "every N seconds,
sweep". That keeps a million people as cheap as ten and survives restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from bot.core.clock import utcnow
from bot.core.db import is_unavailable
from bot.core.settings import Settings
from bot.core.wakeups import INBOUND_CHANNEL, OUTBOX_CHANNEL, Listener, listens
from bot.delivery.lanes import DispatcherLanes
from bot.delivery.outbox import Dispatcher
from bot.intake.processor import InboundProcessor
from bot.intake.retention import prune_inbound_events
from bot.partner_webhooks.sender import deliver_due_webhooks
from bot.scheduling.appointments import send_appointment_reminders
from bot.scheduling.checkins import (
    mark_missed_checkins,
    schedule_cadence_checkins,
    send_checkin_nudges,
    send_due_checkins,
)
from bot.scheduling.escalations import mark_overdue_escalations, send_staff_digests
from bot.scheduling.referral_reminders import remind_unaccepted_referrals
from bot.scheduling.retention import purge_closed_case_bodies
from bot.scheduling.sweep import SweepSummary

log = logging.getLogger(__name__)

# How long stopping waits for the processor's and the dispatcher's current pass.
STOP_SECONDS = 10


class Worker:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        dispatcher: Dispatcher | DispatcherLanes,
        *,
        processor: InboundProcessor | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.dispatcher = dispatcher
        self.processor = processor
        self._process_task: asyncio.Task[None] | None = None
        self.clock = clock
        self.scheduler: AsyncIOScheduler | None = None
        self._dispatch_task: asyncio.Task[None] | None = None
        self._listen_task: asyncio.Task[None] | None = None

    def sweeps(self) -> dict[str, Callable[[datetime], SweepSummary]]:
        """In order: cadence creates the check-ins that the next sweep sends."""
        engine, settings = self.engine, self.settings
        return {
            sweep.__name__: partial(sweep, engine, settings)
            for sweep in (
                schedule_cadence_checkins,
                send_due_checkins,
                send_checkin_nudges,
                mark_missed_checkins,
                send_appointment_reminders,
                mark_overdue_escalations,
                send_staff_digests,
                remind_unaccepted_referrals,
                purge_closed_case_bodies,
                prune_inbound_events,
            )
        }

    async def run_sweeps_once(self) -> list[SweepSummary]:
        """Every sweep in order (cadence creates rows that the next one sends). While the
        database is unreachable the pass stops at the first sweep, with one log line."""
        summaries = []
        for name, sweep in self.sweeps().items():
            summary = await self._run_sweep(name, sweep)
            summaries.append(summary)
            if summary.unavailable:
                break
        return summaries

    async def _run_sweep(
        self, name: str, sweep: Callable[[datetime], SweepSummary]
    ) -> SweepSummary:
        try:
            summary = await asyncio.to_thread(sweep, self.clock())
        except Exception as exc:
            if is_unavailable(exc):
                log.warning(
                    "database unavailable; sweeps wait for the next tick",
                    extra={"sweep": name, "tick_seconds": self.settings.scheduler_tick_seconds},
                )
                return SweepSummary(name, errors=1, unavailable=True)
            log.exception("sweep failed", extra={"sweep": name})
            return SweepSummary(name, errors=1)
        if summary.processed or summary.skipped or summary.errors:
            log.info("sweep", extra=summary.as_log())
            self.dispatcher.wake()
        return summary

    async def run_webhooks_once(self) -> SweepSummary:
        """Post due partner webhooks. A job of its own: a partner's slow server must not
        hold up check-ins and reminders."""
        return await self._run_sweep(
            "deliver_due_webhooks", partial(deliver_due_webhooks, self.engine, self.settings)
        )

    async def start(self) -> None:
        tick = self.settings.scheduler_tick_seconds
        scheduler = AsyncIOScheduler(timezone="UTC")
        # One job for all sweeps, so their order holds, and one for partner webhooks;
        # coalesce and max_instances=1 mean a slow pass is never overlapped by the next
        # one nor replayed after a pause.
        for job_id, job in (("sweeps", self.run_sweeps_once), ("webhooks", self.run_webhooks_once)):
            scheduler.add_job(
                job,
                "interval",
                seconds=tick,
                id=job_id,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=max(1, int(tick)),
                next_run_time=self.clock(),
            )
        scheduler.start()
        self.scheduler = scheduler
        self._dispatch_task = asyncio.create_task(self.dispatcher.run_forever())
        callbacks = {OUTBOX_CHANNEL: self.dispatcher.wake}
        if self.processor is not None:
            self._process_task = asyncio.create_task(self.processor.run_forever())
            callbacks[INBOUND_CHANNEL] = self.processor.wake
        if listens(self.engine):
            # What other processes store (web processes beside this worker) or queue (a
            # web process's officer actions) is taken up at once; the polls remain for
            # when the listener is down.
            self._listen_task = asyncio.create_task(Listener(self.engine, callbacks).run_forever())
        log.info("worker started", extra={"tick_seconds": tick})

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self._listen_task is not None:
            self._listen_task.cancel()
            await asyncio.gather(self._listen_task, return_exceptions=True)
            self._listen_task = None
        self.dispatcher.stop()
        if self.processor is not None:
            self.processor.stop()
        await _finished(self._process_task)
        await _finished(self._dispatch_task)
        self._process_task = self._dispatch_task = None
        log.info("worker stopped")


async def _finished(task: asyncio.Task[None] | None) -> None:
    """Let a loop that was told to stop finish its pass; cancel it after STOP_SECONDS."""
    if task is None:
        return
    try:
        await asyncio.wait_for(task, timeout=STOP_SECONDS)
    except TimeoutError:
        task.cancel()
