"""Storing what providers deliver: many requests, one transaction.

Each webhook request hands its event to `GroupCommit.store` and waits. A single writer
task takes every event waiting at that moment and inserts them in one transaction, so a
burst of requests costs one commit instead of one each, and no request waits for a lock
behind the others. The request's 200 still means "stored": it is answered only after the
commit that holds its event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError

from bot.core.clock import utcnow
from bot.core.db import is_sqlite
from bot.models import InboundEvent

log = logging.getLogger(__name__)

# Events written in one statement at most; a larger burst takes several. Five
# parameters each: 2,500, far under SQLite's (32,766) and PostgreSQL's (65,535) limits.
MAX_GROUP = 500


@dataclass(frozen=True)
class NewEvent:
    """An event a webhook proved and parsed, not yet stored."""

    channel: str
    provider_event_id: str
    # One sender on that channel: their events are processed in order (see InboundEvent).
    lane: str
    payload: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel, self.provider_event_id)


@dataclass(frozen=True)
class Stored:
    lane: str
    # None: this provider id was stored before (a re-delivery); nothing new to process.
    event_id: int | None

    @property
    def duplicate(self) -> bool:
        return self.event_id is None


def store_events(engine: Engine, events: Sequence[NewEvent], now: datetime) -> list[Stored]:
    """Insert `events` in one transaction, skipping provider ids stored before. The answer
    is in the order given; a provider id given twice is stored once (the second is a
    duplicate)."""
    with writer_connection(engine) as conn:
        return store_events_on(conn, events, now)


def writer_connection(engine: Engine) -> Connection:
    """A connection to store events on. On PostgreSQL in autocommit: a group is one
    statement, atomic by itself, so it needs no BEGIN and COMMIT round trips. SQLite's
    writer takes its lock with BEGIN IMMEDIATE (bot/core/db.py); `store_events_on` commits."""
    conn = engine.connect()
    if not is_sqlite(engine):
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def store_events_on(conn: Connection, events: Sequence[NewEvent], now: datetime) -> list[Stored]:
    """`store_events` on a connection from `writer_connection`."""
    first: dict[tuple[str, str], NewEvent] = {}
    for event in events:
        first.setdefault(event.key, event)
    insert = _group_insert(conn.dialect)
    received_at = insert.received_at(now)
    params: list[Any] = []
    for event in first.values():
        payload = insert.payload(event.payload)
        params += (event.channel, event.provider_event_id, event.lane, payload, received_at)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.begin()  # BEGIN IMMEDIATE behind this process's other writers (bot/core/db.py)
    try:
        inserted = {
            (channel, provider_id): event_id
            for event_id, channel, provider_id in _run(conn, insert.sql(len(first)), params)
        }
        if sqlite:
            conn.commit()
    except BaseException:
        if conn.in_transaction():
            conn.rollback()
        raise
    answers = []
    for event in events:
        # Only the first of repeated ids in this group takes the new row's id.
        event_id = inserted.pop(event.key, None)
        answers.append(Stored(lane=event.lane, event_id=event_id))
    return answers


class _GroupInsert:
    """The group's INSERT written out for one dialect, run on the driver's own cursor.

    Measured on PostgreSQL, per group in the writer thread: SQLAlchemy's execute (the
    statement's cache key, its execution context and result) took 250-480 µs of CPU for a
    group of one and 70 µs more for each further event; the same statement on the cursor,
    100-125 µs and 20-30 µs. That thread shares the web process's CPU with every request.
    The values still go through the columns' own bind processors, so a row reads back
    through the ORM exactly as one it wrote."""

    def __init__(self, dialect: Dialect) -> None:
        table = InboundEvent.__table__  # type: ignore[attr-defined]
        self.payload = _bind_processor(table.c.payload, dialect)
        self.received_at = _bind_processor(table.c.received_at, dialect)
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._row = "(" + ", ".join([mark] * 5) + ")"
        self._by_size: dict[int, str] = {}

    def sql(self, rows: int) -> str:
        """One statement for `rows` events: atomic on its own, and a provider id stored
        before comes back as no row (a re-delivery)."""
        sql = self._by_size.get(rows)
        if sql is None:
            # Only placeholders are joined in: the values go as parameters.
            sql = _INSERT_HEAD + ", ".join([self._row] * rows) + _INSERT_TAIL
            if rows <= _KEPT_SIZES:
                self._by_size[rows] = sql
        return sql


_INSERT_HEAD = (
    "INSERT INTO inbound_event (channel, provider_event_id, lane, payload, received_at) VALUES "
)
_INSERT_TAIL = (
    " ON CONFLICT (channel, provider_event_id) DO NOTHING RETURNING id, channel, provider_event_id"
)
# The statements for the common group sizes are kept; a rare large burst builds its own.
_KEPT_SIZES = 64
# One per database and driver (the placeholders are the driver's).
_INSERTS: dict[tuple[str, str], _GroupInsert] = {}


def _group_insert(dialect: Dialect) -> _GroupInsert:
    key = (dialect.name, dialect.driver)
    insert = _INSERTS.get(key)
    if insert is None:
        insert = _INSERTS[key] = _GroupInsert(dialect)
    return insert


def _bind_processor(column: Any, dialect: Dialect) -> Callable[[Any], Any]:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _as_is


def _as_is(value: Any) -> Any:
    return value


def _run(conn: Connection, sql: str, params: list[Any]) -> list[Any]:
    """`sql` on the connection's driver cursor. A driver error is raised as SQLAlchemy
    would have raised it (without the parameters: they hold what people wrote), and a
    connection the database dropped is invalidated and said to be (`connection_invalidated`)."""
    dbapi_conn = conn.connection.dbapi_connection
    if dbapi_conn is None:
        raise RuntimeError("the writer's connection is closed")
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    except conn.dialect.loaded_dbapi.Error as exc:
        dropped = conn.dialect.is_disconnect(exc, dbapi_conn, cursor)
        if dropped:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            sql,
            None,
            exc,
            conn.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=dropped,
            dialect=conn.dialect,
        ) from exc
    finally:
        cursor.close()


class GroupCommit:
    """The single writer of inbound events in this process (see the module's text)."""

    def __init__(
        self,
        engine: Engine,
        *,
        on_stored: Callable[[], None] = lambda: None,
        max_group: int = MAX_GROUP,
    ) -> None:
        self.engine = engine
        self.on_stored = on_stored
        self.max_group = max_group
        self._waiting: list[tuple[NewEvent, asyncio.Future[Stored]]] = []
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        # The writer's own connection, kept between groups (used by one group at a time):
        # taking one from the pool per group cost a ping before and a rollback after, two
        # round trips to PostgreSQL that made the webhook 5-10 % slower.
        self._conn: Connection | None = None
        self._writing = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._arrived = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Store what is already waiting, then end the writer."""
        self._stopping = True
        self._arrived.set()
        if self._task is not None:
            await self._task
            self._task = None
        await asyncio.to_thread(self._close_writer)

    def has_waiting(self) -> bool:
        """Requests are waiting for a commit: queued, or in the group being written (on
        SQLite it waits for the write lock too). Read from the processor's thread, at worst
        a moment out of date."""
        return self._writing or bool(self._waiting)

    async def store(self, event: NewEvent) -> Stored:
        """Wait until `event` is committed (or found stored before). A database error is
        raised to every request of the failed group: none of them was stored."""
        if not self._writing_here():
            # No writer in this loop (a command, a test without the app's lifespan).
            return (await asyncio.to_thread(store_events, self.engine, [event], utcnow()))[0]
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, future))
        self._arrived.set()
        return await future

    def _writing_here(self) -> bool:
        if self._task is None or self._task.done() or self._stopping:
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._waiting:
                group = self._waiting[: self.max_group]
                del self._waiting[: self.max_group]
                await self._write(group)
            if self._stopping:
                return

    def _store_group(self, events: list[NewEvent]) -> list[Stored]:
        """Store a group on the writer's connection (in a worker thread). A connection the
        database dropped while it was kept (a restart, an idle time-out) is found at the
        first use and replaced once: SMS providers do not retry a refused webhook. A retried
        group stores nothing twice (ON CONFLICT DO NOTHING): had the lost statement been
        committed after all, its events come back as duplicates, stored all the same."""
        try:
            return self._store_on_writer(events)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        return self._store_on_writer(events)  # once more, on a fresh connection

    def _store_on_writer(self, events: list[NewEvent]) -> list[Stored]:
        if self._conn is None:
            self._conn = writer_connection(self.engine)
        try:
            return store_events_on(self._conn, events, utcnow())
        except Exception:
            self._close_writer()  # in doubt after a failure: the next group opens another
            raise

    def _close_writer(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def _write(self, group: list[tuple[NewEvent, asyncio.Future[Stored]]]) -> None:
        self._writing = True
        try:
            stored = await asyncio.to_thread(self._store_group, [event for event, _ in group])
        except Exception as exc:
            log.warning(
                "storing inbound events failed",
                extra={"events": len(group), "error": type(exc).__name__},
            )
            for _, future in group:
                if not future.done():  # a request that gave up no longer waits
                    future.set_exception(exc)
            return
        finally:
            self._writing = False
        for (_, future), answer in zip(group, stored, strict=True):
            if not future.done():
                future.set_result(answer)
        if any(not answer.duplicate for answer in stored):
            self.on_stored()
