"""Wake-ups between processes on PostgreSQL: LISTEN on a channel and call back on each
NOTIFY, so a worker takes up what a web process stored at once instead of at its next
poll.

The poll stays as the safety net: a notification sent while the listener reconnects is
lost, so every reconnection calls every callback once (there may be something waiting),
and the pollers keep their interval. Nothing here carries data: a notification only says
"look now", and what to look at is read from the tables as usual.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping

import psycopg
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# Sent by the trigger of migration 0011 for every statement that stores inbound events.
INBOUND_CHANNEL = "jolserik_inbound"
# Sent by a process without a dispatcher (`serve --no-worker`) after it queued messages.
OUTBOX_CHANNEL = "jolserik_outbox"

# Between failed connections: doubling from the first, up to the last.
RETRY_SECONDS = (0.5, 30.0)


def listens(engine: Engine) -> bool:
    """Whether this engine's database can wake other processes (PostgreSQL)."""
    return engine.url.get_backend_name() == "postgresql"


class Listener:
    """One connection of its own in autocommit, LISTENing on each channel of `callbacks`.
    `run_forever` reconnects (with back-off) until its task is cancelled."""

    def __init__(self, engine: Engine, callbacks: Mapping[str, Callable[[], None]]) -> None:
        self.engine = engine
        self.callbacks = dict(callbacks)
        self.connected = asyncio.Event()
        self._listened = False

    async def run_forever(self) -> None:
        pause = RETRY_SECONDS[0]
        while True:
            self._listened = False
            failure = None
            try:
                await self._listen()
            except Exception as exc:  # never let the listener die: it only saves waiting
                # The driver's message may name the host and user; its type says enough.
                failure = type(exc).__name__
            if self._listened:
                pause = RETRY_SECONDS[0]  # it was up: the back-off starts again
            if failure is not None:
                log.warning(
                    "wake-up listener lost its connection; polling until it is back",
                    extra={"error": failure, "retry_seconds": pause},
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_SECONDS[1])

    async def _listen(self) -> None:
        _args, params = self.engine.dialect.create_connect_args(self.engine.url)
        params.pop("context", None)  # SQLAlchemy's type adapters; a LISTEN needs none
        connection = await psycopg.AsyncConnection.connect(**params, autocommit=True)
        try:
            for channel in self.callbacks:
                await connection.execute(f'LISTEN "{channel}"')
            self.connected.set()
            self._listened = True
            self._wake_all()  # whatever was stored while nobody listened
            async for notification in connection.notifies():
                callback = self.callbacks.get(notification.channel)
                if callback is not None:
                    callback()
        finally:
            self.connected.clear()
            await connection.close()

    def _wake_all(self) -> None:
        for callback in self.callbacks.values():
            callback()


class Notifier:
    """NOTIFY on one channel, asked for from any thread (a route runs in the event loop or
    in a thread of its pool). One NOTIFY is in flight at a time, on the event loop's
    terms; asking while it is in flight sends one more after it, so every commit that
    asked is followed by a notification."""

    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._sending = False
        self._again = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Bind to the running event loop (the process's)."""
        self._loop = asyncio.get_running_loop()

    def request(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # not started (a script or a test without the app): the poll finds it
        with self._lock:
            if self._sending:
                self._again = True
                return
            self._sending = True
        try:
            loop.call_soon_threadsafe(self._begin)
        except RuntimeError:  # the loop closed meanwhile (shutting down): the poll finds it
            with self._lock:
                self._sending = False

    async def stop(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        self._loop = None

    def _begin(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._send_while_asked())

    async def _send_while_asked(self) -> None:
        while True:
            with self._lock:
                self._again = False
            try:
                await asyncio.to_thread(self._notify)
            except Exception as exc:  # the workers' poll finds what was queued
                log.warning("wake-up notification failed", extra={"error": type(exc).__name__})
            with self._lock:
                if not self._again:
                    self._sending = False
                    return

    def _notify(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f'NOTIFY "{self.channel}"')
            conn.commit()
