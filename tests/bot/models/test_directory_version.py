"""The directory's version: counted up once at the commit of a transaction that changes
what the directory shows, not at a savepoint's end, not for a rollback, not for a
referral change the directory does not show."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.models import DirectoryVersion, Opportunity, Organisation, Referral
from tests.factories import make_person


def _version(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(DirectoryVersion.version)).one()


def _partner(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        org = Organisation(name="Жол үйі", services=["employment"])
        session.add(org)
        session.flush()
        assert org.id is not None
        opening = Opportunity(organisation_id=org.id, kind="employment", title={"ru": "Сварщик"})
        session.add(opening)
        session.commit()
        assert opening.id is not None
        return org.id, opening.id


def test_the_version_counts_once_per_commit_that_changes_what_is_shown(engine: Engine) -> None:
    org_id, opening_id = _partner(engine)
    person = make_person(engine)
    start = _version(engine)
    with Session(engine) as session:
        org = session.get(Organisation, org_id)
        opening = session.get(Opportunity, opening_id)
        assert org is not None and opening is not None
        org.name, opening.title = "Другое имя", {"ru": "Повар"}
        session.add_all([org, opening])
        with session.begin_nested():
            session.add(Referral(person_id=person.id, organisation_id=org_id, kind="employment"))
        # A savepoint's end counts nothing yet (read in the same transaction, which would
        # see its own count).
        assert session.exec(select(DirectoryVersion.version)).one() == start
        session.commit()
    assert _version(engine) == start + 1

    with Session(engine) as session:  # rolled back: nothing
        org = session.get(Organisation, org_id)
        assert org is not None
        org.name = "Не сохранится"
        session.add(org)
        session.flush()
        session.rollback()
    with Session(engine) as session:  # what the directory does not show: nothing
        referral = session.exec(select(Referral)).one()
        referral.note = "документы готовы"
        session.add(referral)
        session.commit()
    assert _version(engine) == start + 1


def test_a_change_before_a_rolled_back_savepoint_still_counts(engine: Engine) -> None:
    # The processor's way: a chunk changed the directory (a referral), a later chunk fails
    # and its savepoint is rolled back, the batch commits with the first chunk's change.
    org_id, opening_id = _partner(engine)
    person = make_person(engine)
    start = _version(engine)
    with Session(engine) as session:
        with session.begin_nested():
            session.add(
                Referral(
                    person_id=person.id, organisation_id=org_id, opportunity_id=opening_id,
                    kind="employment",
                )
            )  # fmt: skip
        failed = session.begin_nested()
        org = session.get(Organisation, org_id)
        assert org is not None
        org.name = "Не сохранится"
        session.flush()
        failed.rollback()
        session.commit()
    assert _version(engine) == start + 1
