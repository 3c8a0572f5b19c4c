"""A shared savepoint's messages, written in one INSERT at its end.

The processor runs a chunk of senders' events in one savepoint (bot/intake/processor.py).
Each event stores what the person wrote and queues replies: two to four `message` rows.
Added to the session, every row went through the unit of work at the savepoint's flush
(its state tracked, its INSERT parameters collected one attribute at a time, its new id
fetched back): the INSERTs alone were 14 % of the processor's time per update. Nothing
in the chunk needs those ids, so the rows wait here and go in as one statement with the
chunk's other writes; a row whose id is needed (an escalation points at the message that
caused it) becomes an ordinary session row on the spot (`written`).

An open stage is what marks a shared savepoint (`shares_savepoint` in
bot/pipeline/inbound.py). Outside one (`stage_open` not called), every function here is
the plain session call: `add` is `session.add`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from bot.models import Message

KEY = "staged_messages"
_TABLE = Message.__table__  # type: ignore[attr-defined]
# Every column a message row is built with; the id comes from the database, and the
# sentinel only serves the ORM's multi-row INSERT ... RETURNING.
_COLUMNS = tuple(c.key for c in _TABLE.columns if c.key not in ("id", "insert_sentinel"))
_INSERT = insert(_TABLE)


def stage_open(session: Session) -> None:
    session.info[KEY] = []


def stage_is_open(session: Session) -> bool:
    return KEY in session.info


def stage_close(session: Session) -> None:
    """Forget what is staged (after `write_staged`, or when the savepoint rolled back)."""
    session.info.pop(KEY, None)


def _staged(session: Session) -> list[Message] | None:
    return session.info.get(KEY)


def add(session: Session, message: Message) -> None:
    """`message` is to be stored: staged in a shared savepoint, else added to the session."""
    staged = _staged(session)
    if staged is None:
        session.add(message)
    else:
        staged.append(message)


def is_staged(session: Session, message: Message) -> bool:
    staged = _staged(session)
    return staged is not None and any(row is message for row in staged)


def keep(session: Session, message: Message) -> None:
    """`message` changed after `add`: a staged row is written as it is at the end anyway;
    a session row is added again (a no-op for SQLAlchemy when already there)."""
    if not is_staged(session, message):
        session.add(message)


def written(session: Session, message: Message) -> int | None:
    """`message`'s id, storing it now if it is staged (it becomes a session row, so later
    changes to it are flushed as usual)."""
    if is_staged(session, message):
        staged = session.info[KEY]
        staged[:] = [row for row in staged if row is not message]
        session.add(message)
    if message.id is None:
        session.flush()
    return message.id


def write_staged(session: Session) -> int:
    """Insert every staged row in one statement; the number written."""
    staged = _staged(session)
    if not staged:
        return 0
    rows: list[dict[str, Any]] = [
        {name: getattr(message, name) for name in _COLUMNS} for message in staged
    ]
    session.connection().execute(_INSERT, rows)
    staged.clear()
    return len(rows)
