"""The processor: stored inbound events through the flows, in batches, in order per sender.

A batch is one transaction: the events are claimed and run in chunks of different
senders, each chunk in one savepoint written in one flush; a chunk where anything fails
is undone and redone one event per savepoint (one bad event is marked failed and never
blocks the rest). The replies they queue commit with them. Nothing is sent before that
commit: the dispatcher is woken, and pressed buttons answered, only after it. A crash
before the commit leaves every event of the batch pending, to be processed again; a
re-delivered provider id was never stored twice (bot/intake/store.py), and a message id
is unique, so nothing is done twice.

Per sender ("lane") the order is strict, also with several processes on PostgreSQL:
events are claimed with FOR UPDATE SKIP LOCKED, and of each lane only the events before
any pending event another process holds are kept (`claim_pending`). On SQLite every
transaction is the only writer, so a batch simply takes the oldest pending events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, null, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.channels.base import ChannelAdapter
from bot.channels.telegram.adapter import TELEGRAM, TelegramChannel
from bot.channels.telegram.inbound import PressAck
from bot.core.clock import utcnow
from bot.core.db import is_sqlite, is_unavailable, session_scope
from bot.core.settings import Settings
from bot.intake.events import Handled, handle_event
from bot.models import InboundEvent
from bot.pipeline import staged_messages
from bot.pipeline.prefetch import Prefetched, prefetch

log = logging.getLogger(__name__)

PENDING = col(InboundEvent.processed_at).is_(None)
MAX_ID = 2**63
PREFETCH_CHUNK = 16
MIN_CLAIM = 16
# An event whose handling raised: kept with its payload (bot/intake/retention.py) so it
# can be looked into; the log line names its id, never its content.
FAILED = "failed"


@dataclass
class ProcessedBatch:
    events: int = 0
    failed: int = 0
    queued: bool = False
    acks: list[PressAck] = field(default_factory=list)

    def add(self, handled: Handled) -> None:
        self.events += 1
        self.failed += handled.outcome == FAILED
        self.queued = self.queued or handled.queued
        if handled.ack is not None:
            self.acks.append(handled.ack)


def claim_pending(
    session: Session, *, limit: int, lanes: Collection[str] | None = None
) -> list[InboundEvent]:
    """The oldest pending events this transaction may process, in order."""
    query = select(InboundEvent).where(PENDING)
    if lanes is not None:
        query = query.where(col(InboundEvent.lane).in_(lanes))
    query = query.order_by(col(InboundEvent.id)).limit(limit)
    sqlite = is_sqlite(session.get_bind().engine)
    if not sqlite:
        query = query.with_for_update(skip_locked=True)
    events = list(session.exec(query).all())
    if sqlite or not events:
        return events
    # Another process may hold an earlier event of a lane we claimed later events of (it
    # locked it first; SKIP LOCKED passed over it). Each lane's events after the first
    # pending one we do not hold wait for a later batch.
    ours = [event.id for event in events]
    held_elsewhere: dict[str, int | None] = dict(
        session.exec(
            select(InboundEvent.lane, func.min(InboundEvent.id))
            .where(
                PENDING,
                col(InboundEvent.lane).in_({event.lane for event in events}),
                col(InboundEvent.id).not_in(ours),
            )
            .group_by(col(InboundEvent.lane))
        ).all()
    )
    return [
        event for event in events if (event.id or 0) < (held_elsewhere.get(event.lane) or MAX_ID)
    ]


def sender_of(lane: str) -> tuple[str, str]:
    """(channel, address) of a lane, "telegram:5550001" -> ("telegram", "5550001")."""
    channel, _, address = lane.partition(":")
    return channel, address


def process_pending(
    engine: Engine,
    settings: Settings,
    *,
    limit: int,
    lanes: Collection[str] | None = None,
    seconds: float | None = None,
    yield_to: Callable[[], bool] | None = None,
) -> ProcessedBatch:
    """Process one batch of pending events (of `lanes` only, when given) and commit.

    `seconds`: stop taking the next event after this long and commit what is done (the
    rest stay pending, in order); `yield_to`: the same as soon as it answers True. On
    SQLite the batch holds the only write lock, and the webhooks' stores wait for it:
    committing when one waits keeps their answers fast."""
    batch = ProcessedBatch()
    done: list[tuple[int | None, str, datetime]] = []
    deadline = None if seconds is None else time.monotonic() + seconds

    def time_is_up() -> bool:
        return bool(done) and (
            (deadline is not None and time.monotonic() > deadline)
            or (yield_to is not None and yield_to())
        )

    with session_scope(engine) as session:
        events = claim_pending(session, limit=limit, lanes=lanes)
        index = 0
        while index < len(events) and not time_is_up():
            # Read for the next few events only: a batch cut short by its time budget
            # should not have read rows for a hundred.
            window = events[index : index + PREFETCH_CHUNK]
            found = prefetch(session, [sender_of(e.lane) for e in window], utcnow())
            chunk = _one_per_sender(window, found)
            handled = _handle_together(session, chunk, settings, time_is_up)
            if handled is None:
                # Something in the chunk failed: redo each event in a savepoint of its
                # own, so only the one at fault is marked failed.
                prefetch(session, [sender_of(e.lane) for e in chunk], utcnow())
                handled = []
                for event in chunk:
                    if handled and time_is_up():
                        break
                    handled.append(_handle_one(session, event, settings))
            for event, outcome in zip(chunk, handled, strict=False):
                done.append((event.id, outcome.outcome, utcnow()))
                batch.add(outcome)
            index += len(handled)
        _mark_processed(session, done)
    return batch


def _one_per_sender(window: list[InboundEvent], found: Prefetched) -> list[InboundEvent]:
    """The events of `window` up to the first whose person (or, for a stranger, chat)
    already has one before it. Events run together read what their own sender wrote
    before without a flush in between; a sender's second event waits for the next chunk,
    after the first one's writes."""
    seen: set[object] = set()
    chunk: list[InboundEvent] = []
    for event in window:
        sender = found.senders.get(sender_of(event.lane))
        key = ("person", sender[1].id) if sender is not None else ("lane", event.lane)
        if key in seen:
            break
        seen.add(key)
        chunk.append(event)
    return chunk


def _handle_together(
    session: Session,
    chunk: list[InboundEvent],
    settings: Settings,
    time_is_up: Callable[[], bool],
) -> list[Handled] | None:
    """Run `chunk` in one savepoint, written in one flush at its end (a savepoint and a
    flush per event cost more than the flows), its messages in one INSERT
    (bot/pipeline/staged_messages.py). None, with nothing of it kept, when any
    event raised or the flush failed (a duplicate message id, a constraint)."""
    handled: list[Handled] = []
    try:
        with session.begin_nested():
            staged_messages.stage_open(session)  # the events share this savepoint
            try:
                for event in chunk:
                    if handled and time_is_up():
                        break
                    handled.append(
                        handle_event(session, event, settings=settings, now=event.received_at)
                    )
                # The session's rows first: a stranger's message (not staged) before the
                # replies to it, as ids order a conversation.
                session.flush()
                staged_messages.write_staged(session)
            finally:
                staged_messages.stage_close(session)
    except Exception as exc:
        if is_unavailable(exc):
            raise  # the whole batch waits for the database
        return None
    return handled


def _mark_processed(session: Session, done: list[tuple[int | None, str, datetime]]) -> None:
    """One UPDATE for the batch's events (an ORM change per event would be flushed, one
    statement at a time, with the next event's savepoint). A processed event's payload is
    cleared: what the person wrote lives in `message` only; a failed one keeps it."""
    table = InboundEvent.__table__  # type: ignore[attr-defined]
    for keep_payload in (False, True):
        rows = [
            {"event_id": event_id, "outcome": outcome, "processed_at": at}
            for event_id, outcome, at in done
            if (outcome == FAILED) == keep_payload
        ]
        if not rows:
            continue
        values: dict[str, Any] = {
            "outcome": bindparam("outcome"),
            "processed_at": bindparam("processed_at"),
        }
        if not keep_payload:
            values["payload"] = null()
        session.execute(
            update(table).where(table.c.id == bindparam("event_id")).values(values), rows
        )


def _handle_one(session: Session, event: InboundEvent, settings: Settings) -> Handled:
    try:
        with session.begin_nested():
            # The event's own time: an answer that came in time counts as in time, even
            # when it is processed late.
            return handle_event(session, event, settings=settings, now=event.received_at)
    except Exception as exc:
        if is_unavailable(exc):
            raise  # the whole batch waits for the database
        log.exception(
            "inbound event could not be processed",
            extra={"channel": event.channel, "event_id": event.id},
        )
        return Handled(FAILED)


class InboundProcessor:
    """Runs `process_pending` whenever events are stored (woken in this process) or, for
    events stored by other processes, every `poll_seconds`."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        channels: dict[str, ChannelAdapter],
        *,
        on_queued: Callable[[], None] = lambda: None,
        yield_to: Callable[[], bool] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.channels = channels
        self.on_queued = on_queued
        self.yield_to = yield_to
        self.batch_size = settings.inbound_batch_size
        # Claim about twice what the last batch got through (batches cut short by their
        # time budget should not load a hundred events each time), up to the batch size.
        self._claim = settings.inbound_batch_size
        self.poll_seconds = settings.inbound_poll_seconds
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def run_once(self, lanes: Collection[str] | None = None) -> ProcessedBatch:
        batch = await asyncio.to_thread(
            process_pending,
            self.engine,
            self.settings,
            limit=self._claim,
            lanes=lanes,
            seconds=self.settings.inbound_batch_seconds,
            yield_to=self.yield_to,
        )
        self._claim = min(self.batch_size, max(MIN_CLAIM, 2 * batch.events))
        self._after_commit(batch)
        return batch

    async def process_lanes(self, lanes: Collection[str]) -> int:
        """Process every pending event of `lanes` now (inline processing)."""
        total = 0
        while True:
            batch = await self.run_once(lanes)
            total += batch.events
            if batch.events == 0:
                return total

    async def run_forever(self) -> None:
        pause = self.poll_seconds
        while not self._stop.is_set():
            self._wake.clear()
            try:
                batch = await self.run_once()
            except Exception as exc:
                if is_unavailable(exc):
                    log.warning("database unavailable; inbound events wait")
                else:
                    log.exception("processing inbound events failed")
                pause = min(pause * 2, 30.0)
                await self._sleep(pause)
                continue
            pause = self.poll_seconds
            if batch.events:
                continue  # there may be more waiting
            await self._sleep(self.poll_seconds)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _after_commit(self, batch: ProcessedBatch) -> None:
        if batch.events:
            log.info(
                "inbound events processed", extra={"events": batch.events, "failed": batch.failed}
            )
        if batch.queued:
            self.on_queued()
        channel = self.channels.get(TELEGRAM)
        if isinstance(channel, TelegramChannel):
            for ack in batch.acks:
                channel.spawn(channel.acknowledge_press(ack.query_id, ack.keyboard_at))
