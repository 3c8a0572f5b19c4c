"""The panel's pages ask the database the same number of questions for a caseload of 5,000
as for one of 5: keyset pages and one query per section, never one per person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import utcnow
from bot.models import ChannelIdentity, Escalation, Message, Person
from bot.models.enums import Direction, MessageStatus, PersonStatus
from tests.panel.conftest import SignIn

PAGES = ("/panel/", "/panel/cases", "/panel/escalations", "/panel/cases/{first}")


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def _caseload(engine: Engine, officer_id: int, size: int) -> int:
    now = utcnow()
    with Session(engine) as session:
        people = [
            Person(
                display_name=f"Person {n}",
                status=PersonStatus.active,
                consent_given=True,
                officer_id=officer_id,
                last_inbound_at=now - timedelta(days=n % 30),
                missed_checkins_in_row=n % 3,
            )
            for n in range(size)
        ]
        session.add_all(people)
        session.flush()
        for n, person in enumerate(people):
            session.add(
                ChannelIdentity(person_id=person.id, channel="simulator", address=f"a{person.id}")  # type: ignore[arg-type]
            )
            for k in range(2):
                session.add(
                    Message(
                        direction=Direction.inbound if k else Direction.outbound,
                        channel="simulator",
                        address=f"a{person.id}",
                        person_id=person.id,
                        body="текст",
                        status=MessageStatus.received if k else MessageStatus.delivered,
                        created_at=now - timedelta(minutes=k),
                    )
                )
            if n % 7 == 0:
                session.add(
                    Escalation(
                        person_id=person.id,  # type: ignore[arg-type]
                        reason="missed_checkins",
                        severity="medium",
                        ack_deadline=now + timedelta(hours=4),
                        created_at=now,
                    )
                )
        session.commit()
        return people[0].id  # type: ignore[return-value]


def _counts(client: TestClient, first: int) -> dict[str, int]:
    counts = {}
    for page in PAGES:
        url = page.format(first=first)
        with counted() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = len(statements)
    return counts


def test_a_caseload_of_5000_costs_no_more_queries_than_one_of_5(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    small_officer = staff("small@example.org", language="en")
    large_officer = staff("large@example.org", language="en")
    small_first = _caseload(engine, small_officer, 5)
    large_first = _caseload(engine, large_officer, 5000)

    sign_in("small@example.org")
    small = _counts(client, small_first)
    client.cookies.clear()
    sign_in("large@example.org")
    large = _counts(client, large_first)

    assert large == small
    assert max(large.values()) <= 30, large
