"""Which of a person's channels still reaches them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.models import ChannelIdentity

# session.info key: person id -> preferred identity (or None), read for a sweep's batch.
PRELOADED = "preferred_identities"


def _reaching():  # type: ignore[no-untyped-def]
    return select(ChannelIdentity).where(
        col(ChannelIdentity.blocked).is_(False),
        col(ChannelIdentity.opted_out).is_(False),
    )


def preferred_identity(
    session: Session, person_id: int, *, exclude_identity_id: int | None = None
) -> ChannelIdentity | None:
    """The channel the person last wrote from, among those that still reach them (not
    blocked, not opted out), leaving out `exclude_identity_id` (the one that just failed)."""
    if exclude_identity_id is None:
        preloaded: dict[int, ChannelIdentity | None] = session.info.get(PRELOADED, {})
        if person_id in preloaded:
            # Served once: a later call in the same session may follow a change.
            return preloaded.pop(person_id)
    query = _reaching().where(ChannelIdentity.person_id == person_id)
    if exclude_identity_id is not None:
        query = query.where(col(ChannelIdentity.id) != exclude_identity_id)
    return session.exec(
        query.order_by(col(ChannelIdentity.last_seen_at).desc(), col(ChannelIdentity.id).desc())
    ).first()


def preload_preferred_identities(session: Session, person_ids: Iterable[int]) -> None:
    """Read the preferred identity of many people in one statement, for the next
    `preferred_identity` call of each (a sweep's batch), with the same order of choice."""
    ids = list(person_ids)
    found: dict[int, ChannelIdentity | None] = dict.fromkeys(ids)
    if ids:
        rank = (
            func.row_number()
            .over(
                partition_by=col(ChannelIdentity.person_id),
                order_by=(
                    col(ChannelIdentity.last_seen_at).desc(),
                    col(ChannelIdentity.id).desc(),
                ),
            )
            .label("rank")
        )
        ranked = (
            _reaching().add_columns(rank).where(col(ChannelIdentity.person_id).in_(ids)).subquery()
        )
        identity = aliased(ChannelIdentity, ranked)
        for row in session.exec(select(identity).where(ranked.c.rank == 1)).all():
            found[row.person_id] = row
    session.info[PRELOADED] = found
