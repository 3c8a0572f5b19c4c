"""Which channel reaches a person: one at a time, and for a sweep's whole batch."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.core.clock import utcnow
from bot.delivery.reachability import preferred_identity, preload_preferred_identities
from bot.models import ChannelIdentity
from tests.factories import make_person


def _identity(engine, person, channel, *, seen_minutes_ago, **fields) -> ChannelIdentity:
    with Session(engine, expire_on_commit=False) as session:
        identity = ChannelIdentity(
            person_id=person.id,
            channel=channel,
            address=f"{channel}-{person.id}-{seen_minutes_ago}",
            last_seen_at=utcnow() - timedelta(minutes=seen_minutes_ago),
            **fields,
        )
        session.add(identity)
        session.commit()
        return identity


def test_the_batch_read_chooses_what_the_single_read_chooses(engine):
    recent_sms = make_person(engine)
    _identity(engine, recent_sms, "telegram", seen_minutes_ago=60)
    sms = _identity(engine, recent_sms, "sms", seen_minutes_ago=5)
    blocked_newer = make_person(engine)
    telegram = _identity(engine, blocked_newer, "telegram", seen_minutes_ago=60)
    _identity(engine, blocked_newer, "sms", seen_minutes_ago=1, blocked=True)
    opted_out_only = make_person(engine)
    _identity(engine, opted_out_only, "sms", seen_minutes_ago=1, opted_out=True)
    no_channel = make_person(engine)
    people = [recent_sms, blocked_newer, opted_out_only, no_channel]
    expected = {sms.id, telegram.id, None}

    with Session(engine) as session:
        one_by_one = {p.id: getattr(preferred_identity(session, p.id), "id", None) for p in people}
    with Session(engine) as session:
        preload_preferred_identities(session, [p.id for p in people])
        batched = {p.id: getattr(preferred_identity(session, p.id), "id", None) for p in people}

    assert batched == one_by_one
    assert one_by_one == {
        recent_sms.id: sms.id,
        blocked_newer.id: telegram.id,
        opted_out_only.id: None,
        no_channel.id: None,
    }
    assert set(batched.values()) == expected


def test_a_preloaded_choice_serves_once_then_the_database_is_asked_again(engine):
    person = make_person(engine)
    first = _identity(engine, person, "telegram", seen_minutes_ago=10)
    with Session(engine) as session:
        preload_preferred_identities(session, [person.id])
        assert preferred_identity(session, person.id).id == first.id
        newer = ChannelIdentity(
            person_id=person.id, channel="sms", address="sms-newer", last_seen_at=utcnow()
        )
        session.add(newer)
        session.flush()
        assert preferred_identity(session, person.id).id == newer.id


def test_leaving_out_the_failed_channel_never_takes_the_preloaded_choice(engine):
    person = make_person(engine)
    older = _identity(engine, person, "telegram", seen_minutes_ago=10)
    newer = _identity(engine, person, "sms", seen_minutes_ago=1)
    with Session(engine) as session:
        preload_preferred_identities(session, [person.id])
        other = preferred_identity(session, person.id, exclude_identity_id=newer.id)
        assert other.id == older.id
