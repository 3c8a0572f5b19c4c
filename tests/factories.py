"""Rows for tests, written straight to the real database."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.models import ChannelIdentity, Invite, Person
from bot.models.enums import PersonStatus


def make_person(engine: Engine, **fields: object) -> Person:
    values: dict[str, object] = {"display_name": "Test Person", "language": "ru"}
    values.update(fields)
    with Session(engine, expire_on_commit=False) as session:
        person = Person(**values)
        session.add(person)
        session.commit()
        return person


def make_invite(
    engine: Engine, person: Person, *, expires_at: datetime | None = None, used: bool = False
) -> Invite:
    with Session(engine, expire_on_commit=False) as session:
        invite = Invite(
            person_id=person.id,
            code=secrets.token_urlsafe(18),
            expires_at=expires_at or utcnow() + timedelta(days=7),
            used_at=utcnow() if used else None,
        )
        session.add(invite)
        session.commit()
        return invite


def make_enrolled(
    engine: Engine, *, channel: str = "simulator", address: str | None = None, **fields: object
) -> tuple[Person, ChannelIdentity]:
    """A person who finished enrollment and consented, reachable on one channel."""
    values: dict[str, object] = {"status": PersonStatus.active, "consent_given": True}
    values.update(fields)
    person = make_person(engine, **values)
    with Session(engine, expire_on_commit=False) as session:
        identity = ChannelIdentity(
            person_id=person.id,
            channel=channel,
            address=address or f"addr-{person.id}",
            last_seen_at=utcnow(),
        )
        session.add(identity)
        session.commit()
        return person, identity
