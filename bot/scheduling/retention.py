"""Retention: the words of a closed case are kept `retention_days`, then purged.

The sweep walks closed cases by the indexed (status, closed_at) columns, a batch of persons
at a time, and blanks their message bodies and button labels with one UPDATE per person,
so no message is ever loaded. The rows stay (direction, channel, status, times), and so do
the programme's figures. A case closed again after a reopening is purged again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.settings import Settings
from bot.models import Message, Person
from bot.models.enums import MessageStatus, PersonStatus
from bot.scheduling.sweep import SweepSummary, sweep_in_batches
from bot.services.erasure import identities_of, messages_of

# Rows still in the outbox keep their text until they are sent or fail.
_UNSENT = (MessageStatus.queued, MessageStatus.sending)


def purge_closed_case_bodies(engine: Engine, settings: Settings, now: datetime) -> SweepSummary:
    """Blank the message bodies of cases closed more than `retention_days` ago."""
    cutoff = now - timedelta(days=settings.retention_days)

    def query():  # type: ignore[no-untyped-def]
        return (
            select(Person)
            .where(
                Person.status == PersonStatus.closed,
                col(Person.closed_at) <= cutoff,
                or_(
                    col(Person.bodies_purged_at).is_(None),
                    col(Person.bodies_purged_at) < col(Person.closed_at),
                ),
            )
            .order_by(col(Person.closed_at))
        )

    def handle(session: Session, person: Person) -> bool:
        assert person.id is not None
        session.execute(
            update(Message)
            .where(
                messages_of(person.id, identities_of(session, person.id)),
                col(Message.status).not_in(_UNSENT),
            )
            .values(body="", choices=None, choice_id=None)
        )
        person.bodies_purged_at = now
        session.add(person)
        return True

    return sweep_in_batches(
        engine,
        SweepSummary("retention"),
        query,
        handle,
        batch=settings.sweep_batch_size,
        # A failure rolls the batch back and ends this pass; the next tick tries again
        # (a row isolated and skipped would be selected again at once).
        isolate_rows=False,
    )
