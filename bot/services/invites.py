"""Invitation codes: the one live code that links a person's chat to their record."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.models import Invite, Person, User
from bot.models.enums import Channel, PersonStatus
from bot.services import Conflict, InvalidInput

CODE_BYTES = 18  # 144 bits: 24 characters of A-Za-z0-9_-
NOT_INVITABLE = frozenset({PersonStatus.closed, PersonStatus.opted_out})


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def create_invite(
    session: Session,
    person: Person,
    *,
    settings: Settings,
    created_by: User | None = None,
    channel: Channel | str | None = None,
    now: datetime | None = None,
) -> Invite:
    """A fresh code for `person`; any earlier unused code stops working. The caller commits.

    Lock the person row first (`get_person_for(..., for_update=True)`) where two officers
    might invite the same person at once, so exactly one code stays live.
    """
    now = now or utcnow()
    if person.status in NOT_INVITABLE:
        raise Conflict(f"the person's record is {person.status}; an invitation cannot be made")
    if channel is not None:
        try:
            channel = Channel(channel)
        except ValueError:
            raise InvalidInput("channel", "must be telegram, sms or simulator") from None
    session.exec(
        update(Invite)
        .where(
            col(Invite.person_id) == person.id,
            col(Invite.used_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(expires_at=now)
    )
    invite = Invite(
        person_id=person.id,  # type: ignore[arg-type]
        code=new_code(),
        channel=channel.value if channel is not None else None,
        created_by_id=created_by.id if created_by is not None else None,
        expires_at=now + timedelta(days=settings.invite_ttl_days),
        created_at=now,
    )
    session.add(invite)
    session.flush()
    return invite


def live_invite(session: Session, person_id: int, now: datetime | None = None) -> Invite | None:
    now = now or utcnow()
    return session.exec(
        select(Invite).where(
            Invite.person_id == person_id,
            col(Invite.used_at).is_(None),
            col(Invite.expires_at) > now,
        )
    ).first()
