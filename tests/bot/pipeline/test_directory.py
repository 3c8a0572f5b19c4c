"""The partner directory a process keeps: the same copy while nothing changed, built again
after a change committed anywhere, when an opening reaches its closing time, and after
MAX_AGE."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.models import Opportunity, Organisation, Referral
from bot.models.enums import ReferralStatus
from bot.pipeline.directory import MAX_AGE, directory_for
from flows.types import Directory
from tests.factories import make_person
from tests.panel.test_query_counts import counted

REGION = "Karaganda"


def _partner(engine: Engine, *, capacity: int | None = None, closes_at=None) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        org = Organisation(name="Жол үйі", services=["employment"], regions=[REGION])
        session.add(org)
        session.flush()
        assert org.id is not None
        opening = Opportunity(
            organisation_id=org.id,
            kind="employment",
            title={"ru": "Сварщик"},
            capacity=capacity,
            closes_at=closes_at,
        )
        session.add(opening)
        session.commit()
        assert opening.id is not None
        return org.id, opening.id


def _batch(engine: Engine, now: datetime | None = None) -> tuple[Directory, list[str]]:
    """The directory as a new batch (a new session) sees it, and what it read."""
    with counted() as statements, Session(engine) as session:
        directory = directory_for(session, REGION, "ru", 20, now or utcnow())
    return directory, statements


def _read_rows(statements: list[str]) -> bool:
    return any("FROM organisation" in s for s in statements)


def test_a_process_keeps_its_copy_while_nothing_changes(engine: Engine) -> None:
    _partner(engine)
    first, read = _batch(engine)
    again, read_again = _batch(engine)

    assert [o.name for o in first.organisations] == ["Жол үйі"]
    assert _read_rows(read) and not _read_rows(read_again)
    assert again is first
    selects = [s for s in read_again if s.startswith("SELECT")]
    assert len(selects) == 1 and "FROM directory_version" in selects[0]  # one row


def test_a_change_committed_by_another_session_is_read_by_the_next_batch(engine: Engine) -> None:
    org_id, opening_id = _partner(engine)
    _batch(engine)
    with Session(engine) as session:  # as the panel or another process would
        org = session.get(Organisation, org_id)
        assert org is not None
        org.name = "Жаңа жол"
        session.add(org)
        session.commit()

    changed, read = _batch(engine)

    assert _read_rows(read) and [o.name for o in changed.organisations] == ["Жаңа жол"]
    with Session(engine) as session:
        opening = session.get(Opportunity, opening_id)
        assert opening is not None
        session.delete(opening)
        session.commit()
    assert _batch(engine)[0].opportunities == ()


def test_a_referral_taking_the_last_place_closes_the_opening_at_the_next_batch(
    engine: Engine,
) -> None:
    org_id, opening_id = _partner(engine, capacity=1)
    person = make_person(engine)
    assert [o.title for o in _batch(engine)[0].opportunities] == ["Сварщик"]
    with Session(engine) as session:
        referral = Referral(
            person_id=person.id, organisation_id=org_id, opportunity_id=opening_id,
            kind="employment", status=ReferralStatus.sent,
        )  # fmt: skip
        session.add(referral)
        session.commit()
        referral_id = referral.id
    assert [o.title for o in _batch(engine)[0].opportunities] == ["Сварщик"]  # not accepted

    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        referral.status = ReferralStatus.accepted
        session.add(referral)
        session.commit()

    assert _batch(engine)[0].opportunities == ()


def test_an_opening_past_its_closing_time_goes_with_no_write_and_age_rebuilds(
    engine: Engine,
) -> None:
    now = utcnow()
    _partner(engine, closes_at=now + timedelta(minutes=1))
    assert len(_batch(engine, now)[0].opportunities) == 1
    closed, read = _batch(engine, now + timedelta(minutes=2))
    assert _read_rows(read) and closed.opportunities == ()

    _, read = _batch(engine, now + timedelta(minutes=3))
    assert not _read_rows(read)
    _, read = _batch(engine, now + timedelta(minutes=2) + MAX_AGE)
    assert _read_rows(read)
