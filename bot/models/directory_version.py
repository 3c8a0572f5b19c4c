"""The partner directory's version: one row, counted up by every transaction that changes
what the directory shows people (an organisation, an opening, a referral taking or
giving back a place).

Each process keeps the directory it built (bot/pipeline/directory.py) and reads this one
number per batch instead of the directory's rows: a different number means rebuild. The
count goes up at commit, the last thing a transaction writes, so its row lock is held
for the commit alone and never waited on while holding others (a referral created in the
middle of a processor's batch must not block another worker's batch for its length).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, event, inspect, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Field, SQLModel

from bot.models.organisation import Opportunity, Organisation
from bot.models.referral import Referral

ROW_ID = 1
_CHANGED = "directory_changed"


class DirectoryVersion(SQLModel, table=True):
    __tablename__ = "directory_version"

    id: int = Field(default=ROW_ID, primary_key=True)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


_TABLE = DirectoryVersion.__table__  # type: ignore[attr-defined]
_COUNT_UP = update(_TABLE).where(_TABLE.c.id == ROW_ID).values(version=_TABLE.c.version + 1)


def shows_in_directory(row: object, *, new_or_deleted: bool) -> bool:
    """Whether a change to `row` can change what the directory shows: any change to an
    organisation or an opening; a referral only when it comes or goes or changes its
    status or opening (which is what counts the places taken)."""
    if isinstance(row, Organisation | Opportunity):
        return True
    if not isinstance(row, Referral):
        return False
    if new_or_deleted:
        return True
    attrs = inspect(row).attrs
    return attrs.status.history.has_changes() or attrs.opportunity_id.history.has_changes()


def _note_changes(session: OrmSession, _flush_context: Any) -> None:
    # After a flush the session's new, dirty and deleted still hold what it wrote, with
    # each attribute's history.
    if session.info.get(_CHANGED):
        return
    if any(
        shows_in_directory(row, new_or_deleted=True) for row in (*session.new, *session.deleted)
    ) or any(shows_in_directory(row, new_or_deleted=False) for row in session.dirty):
        session.info[_CHANGED] = True


def _count_up_at_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's end (this hook runs for those too); the count waits for COMMIT
    session.flush()  # what is still pending may change the directory too
    if not session.info.pop(_CHANGED, False):
        return
    if session.execute(_COUNT_UP).rowcount == 0:  # type: ignore[attr-defined]
        # The row is made by the migration; a database emptied by hand lacks it.
        session.add(DirectoryVersion(id=ROW_ID, version=1))
        session.flush()


def _forget(session: OrmSession, previous: SessionTransaction) -> None:
    # Only when the whole transaction is undone: a savepoint rolled back (the processor
    # redoing a failed chunk event by event) leaves the changes made before it, which
    # still count.
    if previous.parent is None:
        session.info.pop(_CHANGED, None)


# Registered with the model, like the model's columns: every session of every process
# (the app, the worker, the CLI, the tests) counts its changes, or a process would show
# a directory another one changed. Writes that bypass the session (Core statements on
# these tables) must count up themselves; there are none that change what is shown.
event.listen(OrmSession, "after_flush", _note_changes)
event.listen(OrmSession, "before_commit", _count_up_at_commit)
event.listen(OrmSession, "after_soft_rollback", _forget)
