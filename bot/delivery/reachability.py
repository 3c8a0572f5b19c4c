"""Which of a person's channels still reaches them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.models import ChannelIdentity


def preferred_identity(
    session: Session, person_id: int, *, exclude_identity_id: int | None = None
) -> ChannelIdentity | None:
    """The channel the person last wrote from, among those that still reach them (not
    blocked, not opted out), leaving out `exclude_identity_id` (the one that just failed)."""
    query = select(ChannelIdentity).where(
        ChannelIdentity.person_id == person_id,
        col(ChannelIdentity.blocked).is_(False),
        col(ChannelIdentity.opted_out).is_(False),
    )
    if exclude_identity_id is not None:
        query = query.where(col(ChannelIdentity.id) != exclude_identity_id)
    return session.exec(
        query.order_by(col(ChannelIdentity.last_seen_at).desc(), col(ChannelIdentity.id).desc())
    ).first()
