"""The outbox dispatcher: claim queued messages, send them, record what happened.

Claiming is one `UPDATE … RETURNING` (with `FOR UPDATE SKIP LOCKED` on PostgreSQL), so
any number of dispatchers can run against one database without sending a row twice.
A claim is a lease: a row left in `sending` by a crashed process is claimed again after
`OUTBOX_LEASE_SECONDS` (5 minutes), so nothing committed is ever lost (at-least-once
delivery; tests/reliability/test_worker_crash.py kills a worker to prove it).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from bot.alerts.queue import record_staff_failure
from bot.channels.base import (
    ChannelAdapter,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
)
from bot.core.clock import utcnow
from bot.core.db import is_sqlite, is_unavailable, session_scope
from bot.core.settings import Settings, load_settings
from bot.delivery.fallback import hold_back_unreachable, reroute_or_escalate
from bot.models import Message
from bot.models.enums import Direction, MessageStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 15 * 60
# Messages to different people go out in parallel; one person's messages keep their order.
MAX_PARALLEL_ADDRESSES = 16
# During a long pass, what was sent is recorded at least this often.
RECORD_EVERY_SECONDS = 1.0
# While the database is unreachable, passes are retried at most this far apart.
UNAVAILABLE_BACKOFF_MAX_SECONDS = 30.0
# After a pass that found nothing to send, a wake-up waits this long before the next
# claim: under a stream of inbound messages every processed batch wakes every lane, and
# a lane with nothing queued would otherwise run a write transaction for each.
IDLE_CLAIM_INTERVAL_SECONDS = 0.1


@dataclass
class DispatchSummary:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    rerouted: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: DispatchSummary) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.rerouted += other.rerouted
        for channel, count in other.by_channel.items():
            self.by_channel[channel] += count


@dataclass(frozen=True)
class Lane:
    """Which channels one dispatch loop claims: `channels`, or with `exclude` every other.

    Each configured channel gets its own loop, so a paced SMS burst (one a second) never
    holds back Telegram replies claimed in the same pass; one more loop takes messages for
    channels this process cannot send, so they still time out and fall back."""

    channels: tuple[str, ...] = ()
    exclude: bool = False

    def clause(self) -> ColumnElement[bool] | None:
        if not self.channels:
            return None  # every channel
        inside = col(Message.channel).in_(self.channels)
        return ~inside if self.exclude else inside


EVERY_CHANNEL = Lane()


def claim_outbound(
    session: Session,
    now: datetime,
    limit: int,
    lane: Lane = EVERY_CHANNEL,
    lease: timedelta = LEASE,
) -> list[Message]:
    due = or_(
        and_(col(Message.status) == MessageStatus.queued, col(Message.next_attempt_at) <= now),
        and_(col(Message.status) == MessageStatus.sending, col(Message.claimed_at) <= now - lease),
    )
    candidates = select(col(Message.id)).where(col(Message.direction) == Direction.outbound, due)
    lane_clause = lane.clause()
    if lane_clause is not None:
        candidates = candidates.where(lane_clause)
    candidates = candidates.order_by(col(Message.next_attempt_at), col(Message.id)).limit(limit)
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(Message)
        .where(col(Message.id).in_(candidates.scalar_subquery()))
        .values(status=MessageStatus.sending, claimed_at=now, attempts=Message.attempts + 1)
        .returning(Message)
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(statement).scalars().all())


def backoff_seconds(attempt: int) -> float:
    # Exponential with full jitter, so many failed messages do not retry in lockstep.
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not security)


@dataclass(frozen=True)
class _Outcome:
    message_id: int
    result: SendResult | None = None
    transient: TransientSendError | None = None
    permanent: PermanentSendError | None = None


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        channels: dict[str, ChannelAdapter],
        *,
        batch_size: int = 100,
        max_attempts: int = 8,
        poll_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        record_every_seconds: float = RECORD_EVERY_SECONDS,
        lane: Lane = EVERY_CHANNEL,
        settings: Settings | None = None,
    ) -> None:
        self.engine = engine
        # Escalations opened on a final failure take their deadlines from settings; a
        # dispatcher built without them (the bench, a test) reads the environment's.
        self.settings = settings if settings is not None else load_settings()
        self.lane = lane
        self.channels = channels
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.record_every_seconds = record_every_seconds
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Called after a commit that queued messages, so replies go out at once."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run_forever(self) -> None:
        pause = self.poll_seconds
        while not self._stopping:
            try:
                summary = await self.run_once()
                pause = self.poll_seconds
                if summary.claimed >= self.batch_size:
                    continue  # more waiting: no pause
                if not summary.claimed:
                    await asyncio.sleep(min(IDLE_CLAIM_INTERVAL_SECONDS, pause))
            except Exception as exc:
                if is_unavailable(exc):
                    # One line per attempt, further apart each time: a database that is
                    # down for an hour must not fill the log with a traceback a second.
                    pause = min(max(pause * 2, 1.0), UNAVAILABLE_BACKOFF_MAX_SECONDS)
                    log.warning(
                        "database unavailable; dispatcher waits",
                        extra={"lane": self.lane.channels, "retry_in_seconds": pause},
                    )
                else:
                    log.exception("dispatcher pass failed", extra={"lane": self.lane.channels})
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            except TimeoutError:
                pass
            self._wake.clear()

    async def run_once(self) -> DispatchSummary:
        now = self.clock()
        claimed, held_back = await asyncio.to_thread(self._claim, now)
        summary = DispatchSummary(claimed=len(claimed) + held_back, failed=held_back)
        if not claimed:
            return summary
        by_address: dict[tuple[str, str], list[OutboundMessage]] = defaultdict(list)
        for message in claimed:
            by_address[(message.channel, message.address)].append(message)
        limiter = asyncio.Semaphore(MAX_PARALLEL_ADDRESSES)
        loop = asyncio.get_running_loop()
        pending: list[_Outcome] = []
        last_recorded = loop.time()

        async def record_pending() -> None:
            nonlocal last_recorded
            # Taken out before the await, so two tasks never record the same outcome.
            outcomes, pending[:] = list(pending), []
            last_recorded = loop.time()
            if outcomes:
                recorded = DispatchSummary()
                await asyncio.to_thread(self._record, outcomes, recorded)
                summary.add(recorded)

        async def send_in_order(batch: list[OutboundMessage]) -> None:
            async with limiter:
                for message in batch:
                    pending.append(await self._send_one(message))
                    # A paced channel (SMS, one a second) makes a pass last minutes: record
                    # as it goes, so status callbacks find provider ids and a crash does not
                    # resend what went out. A fast pass is still recorded once, at the end.
                    if loop.time() - last_recorded >= self.record_every_seconds:
                        await record_pending()

        await asyncio.gather(*(send_in_order(batch) for batch in by_address.values()))
        await record_pending()
        log.info(
            "outbox pass",
            extra={
                "claimed": summary.claimed,
                "sent": summary.sent,
                "retried": summary.retried,
                "failed": summary.failed,
                "rerouted": summary.rerouted,
            },
        )
        return summary

    def _claim(self, now: datetime) -> tuple[list[OutboundMessage], int]:
        with session_scope(self.engine) as session:
            lease = timedelta(seconds=self.settings.outbox_lease_seconds)
            claimed = claim_outbound(session, now, self.batch_size, self.lane, lease)
            rows = hold_back_unreachable(session, claimed, now, self.settings)
            return [
                OutboundMessage(
                    message_id=row.id,  # type: ignore[arg-type]
                    channel=row.channel,
                    address=row.address,
                    text=row.body,
                    choices=tuple((c["id"], c["label"]) for c in (row.choices or [])),
                    language=row.language or "ru",
                )
                for row in sorted(rows, key=lambda r: r.id or 0)
            ], len(claimed) - len(rows)

    async def _send_one(self, message: OutboundMessage) -> _Outcome:
        adapter = self.channels.get(message.channel)
        if adapter is None:
            return _Outcome(
                message.message_id,
                transient=TransientSendError("channel not configured", retry_after=300),
            )
        try:
            return _Outcome(message.message_id, result=await adapter.send(message))
        except TransientSendError as exc:
            return _Outcome(message.message_id, transient=exc)
        except PermanentSendError as exc:
            return _Outcome(message.message_id, permanent=exc)
        except Exception as exc:
            # An adapter bug is treated as transient: the message is kept and retried.
            log.exception("channel adapter raised", extra={"channel": message.channel})
            return _Outcome(message.message_id, transient=TransientSendError(type(exc).__name__))

    def _record(self, outcomes: list[_Outcome], summary: DispatchSummary) -> None:
        for outcome in outcomes:
            try:
                with session_scope(self.engine) as session:
                    self._record_one(session, outcome, summary)
            except Exception:
                # One bad row must not stop the rest; its lease expires and it is retried.
                log.exception("recording a send failed", extra={"message_id": outcome.message_id})

    def _record_one(self, session: Session, outcome: _Outcome, summary: DispatchSummary) -> None:
        message = session.get(Message, outcome.message_id)
        if message is None or message.status != MessageStatus.sending:
            # Changed while it was out (the person erased, the case closed): what was
            # decided then stands, and no provider id or retry is written back.
            return
        now = self.clock()
        if outcome.transient is not None and not outcome.transient.consumes_attempt:
            message.attempts = max(message.attempts - 1, 0)  # deferred, never tried
        if outcome.result is not None:
            message.status = MessageStatus(outcome.result.status)
            message.provider_message_id = outcome.result.provider_message_id
            message.sent_at = now
            if message.status == MessageStatus.delivered:
                message.delivered_at = now
            message.error = None
            summary.sent += 1
            summary.by_channel[message.channel] += 1
        elif outcome.transient is not None and message.attempts < self.max_attempts:
            retry_after = outcome.transient.retry_after
            delay = retry_after if retry_after is not None else backoff_seconds(message.attempts)
            message.status = MessageStatus.queued
            message.next_attempt_at = now + timedelta(seconds=delay)
            message.error = outcome.transient.reason[:200]
            summary.retried += 1
        else:
            error = outcome.permanent or outcome.transient
            message.status = MessageStatus.failed
            message.error = (error.reason if error else "failed")[:200]
            summary.failed += 1
            if message.recipient_user_id is not None:
                record_staff_failure(session, message, now)
                session.add(message)
                return
            unreachable = bool(outcome.permanent and outcome.permanent.identity_unreachable)
            flag = outcome.permanent.identity_flag if outcome.permanent else "blocked"
            if reroute_or_escalate(
                session, message, now, self.settings, mark_unreachable=unreachable, flag=flag
            ):
                summary.rerouted += 1
        session.add(message)
