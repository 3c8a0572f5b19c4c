"""The programme's figures, checked against a seeded data set whose answers this test
works out on its own (plain Python over the seed lists, not the service's queries)."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.models import Appointment, CheckIn, Escalation, Organisation, Person, Referral
from tests.admin.conftest import Login, MakeUser

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
FROM, TO = MONDAY, MONDAY + timedelta(weeks=2)
HIDDEN = "<5"


def hide(n: int) -> int | str:
    return n if n >= 5 else HIDDEN


def rate(a: int, b: int) -> float | str | None:
    if b == 0:
        return None
    if a < 5 or b < 5 or 0 < b - a < 5:
        return HIDDEN
    return round(a / b, 3)


# Seed: (region, officer key, check-in statuses in week 1, in week 2)
PEOPLE = [("Karaganda", "a", ["answered"], ["answered"]) for _ in range(6)]
PEOPLE += [("Karaganda", "a", ["missed"], ["answered"]) for _ in range(3)]
PEOPLE += [("Karaganda", "b", ["answered"], ["missed"]) for _ in range(3)]
PEOPLE += [("Astana", "b", ["answered"], ["sent"]) for _ in range(2)]
# Escalations: (person index, reason, severity, minutes to acknowledge or None, deadline minutes)
ESCALATIONS = [(i, "crisis", "critical", 10 + i, 60) for i in range(5)]
ESCALATIONS += [(i, "missed_checkins", "medium", 30 * 60 + i, 24 * 60) for i in range(5, 11)]
ESCALATIONS += [(12, "crisis", "critical", None, 60)]
# Referrals: (person index, kind, status, days to acceptance or None, rating)
REFERRALS = [(i, "employment", "completed", 1 + i, 4) for i in range(6)]
REFERRALS += [(i, "employment", "accepted", 2, None) for i in range(6, 9)]
REFERRALS += [(i, "housing", "declined", None, None) for i in range(9, 11)]
REFERRALS += [(i, "housing", "sent", None, None) for i in range(11, 14)]
REFERRALS += [(0, "housing", "proposed", None, None)]
# Appointments: (person index, status)
APPOINTMENTS = [(i, "attended") for i in range(9)] + [(i, "missed") for i in range(9, 14)]


def _seed(engine: Engine, officers: dict[str, int]) -> list[int]:
    with Session(engine, expire_on_commit=False) as session:
        org = Organisation(name="Umit", services=["employment", "housing"])
        session.add(org)
        persons = []
        for n, (region, officer, _week1, _week2) in enumerate(PEOPLE):
            person = Person(
                display_name=f"P{n}",
                region=region,
                officer_id=officers[officer],
                status="active",
                consent_given=True,
                consent_at=MONDAY + timedelta(hours=n),
            )
            session.add(person)
            persons.append(person)
        session.flush()
        for person, (_region, _officer, week1, week2) in zip(persons, PEOPLE, strict=True):
            for week, statuses in enumerate((week1, week2)):
                for status in statuses:
                    due = MONDAY + timedelta(weeks=week, days=2)
                    session.add(CheckIn(person_id=person.id, status=status, due_at=due))
        for index, reason, severity, minutes, deadline in ESCALATIONS:
            created = MONDAY + timedelta(days=3, hours=index)
            session.add(
                Escalation(
                    person_id=persons[index].id,
                    reason=reason,
                    severity=severity,
                    status="acknowledged" if minutes is not None else "open",
                    created_at=created,
                    ack_deadline=created + timedelta(minutes=deadline),
                    acknowledged_at=created + timedelta(minutes=minutes) if minutes else None,
                )
            )
        for index, kind, status, days, rating in REFERRALS:
            sent = MONDAY + timedelta(days=1)
            session.add(
                Referral(
                    person_id=persons[index].id,
                    organisation_id=org.id,
                    kind=kind,
                    status=status,
                    created_at=sent,
                    sent_at=sent if status != "proposed" else None,
                    accepted_at=sent + timedelta(days=days) if days else None,
                    helpful_rating=rating,
                )
            )
        for index, status in APPOINTMENTS:
            session.add(
                Appointment(
                    person_id=persons[index].id,
                    starts_at=MONDAY + timedelta(days=5),
                    kind="meeting",
                    status=status,
                )
            )
        session.commit()
        return [p.id for p in persons]  # type: ignore[misc]


def _expected(people: list[int]) -> dict[str, Any]:
    chosen = set(people)
    checkins = {0: [0, 0, 0], 1: [0, 0, 0]}  # week -> sent, answered, missed
    for i in chosen:
        for week, statuses in enumerate(PEOPLE[i][2:]):
            for status in statuses:
                checkins[week][0] += 1
                checkins[week][1] += status == "answered"
                checkins[week][2] += status == "missed"
    acknowledged = [e for e in ESCALATIONS if e[0] in chosen and e[3] is not None]
    late = [e for e in acknowledged if e[3] > e[4]]  # type: ignore[operator]
    referrals = [r for r in REFERRALS if r[0] in chosen]
    accepted_days = [r[3] for r in referrals if r[3] is not None]
    sent = [r for r in referrals if r[2] != "proposed"]
    completed = [r for r in referrals if r[2] == "completed"]
    attended = sum(1 for i, s in APPOINTMENTS if i in chosen and s == "attended")
    missed = sum(1 for i, s in APPOINTMENTS if i in chosen and s == "missed")
    minutes = [e[3] for e in acknowledged]
    return {
        "people": {"enrolled_in_period": hide(len(chosen)), "active_now": hide(len(chosen))},
        "weeks": [
            (hide(checkins[w][0]), hide(checkins[w][1]), rate(checkins[w][1], checkins[w][0]))
            for w in (0, 1)
        ],
        "missed": hide(checkins[0][2] + checkins[1][2]),
        "median_minutes": (
            round(statistics.median(minutes), 1)
            if len(minutes) >= 5
            else HIDDEN
            if minutes
            else None
        ),
        "late_share": rate(len(late), len(acknowledged)),
        "median_days": (
            round(statistics.median(accepted_days), 1)
            if len(accepted_days) >= 5
            else HIDDEN
            if accepted_days
            else None
        ),
        "completion": rate(len(completed), len(sent)),
        "attendance": (hide(attended), hide(missed), rate(attended, attended + missed)),
    }


@pytest.fixture
def world(engine: Engine, make_user: MakeUser, login: Login) -> dict[str, Any]:
    officers = {"a": make_user("a@example.org"), "b": make_user("b@example.org")}
    make_user("admin@example.org", role="admin")
    make_user("ngo@example.org", role="ngo")
    people = _seed(engine, officers)
    return {
        "people": people,
        "admin": login("admin@example.org"),
        "a": login("a@example.org"),
        "ngo": login("ngo@example.org"),
    }


def _get(client: TestClient, headers: dict[str, str], **params: str):  # type: ignore[no-untyped-def]
    query = {"from": FROM.isoformat(), "to": TO.isoformat(), **params}
    return client.get("/api/v1/reports/summary", params=query, headers=headers)


def _check(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert body["people"] == expected["people"]
    weeks = [(w["sent"], w["answered"], w["response_rate"]) for w in body["checkins"]["by_week"]]
    assert weeks == expected["weeks"]
    assert [w["week_of"] for w in body["checkins"]["by_week"]] == ["2026-11-02", "2026-11-09"]
    assert body["checkins"]["missed"] == expected["missed"]
    assert body["escalations"]["median_minutes_to_acknowledge"] == expected["median_minutes"]
    assert body["escalations"]["share_acknowledged_past_deadline"] == expected["late_share"]
    assert body["referrals"]["median_days_to_acceptance"] == expected["median_days"]
    assert body["referrals"]["completion_rate"] == expected["completion"]
    appointments = body["appointments"]
    assert (
        appointments["attended"],
        appointments["missed"],
        appointments["attendance_rate"],
    ) == expected["attendance"]


def test_the_whole_programme(client: TestClient, world: dict[str, Any]) -> None:
    response = _get(client, world["admin"])
    assert response.status_code == 200, response.text
    body = response.json()
    _check(body, _expected(list(range(len(PEOPLE)))))
    by_reason = {
        (r["reason"], r["severity"]): r["count"]
        for r in body["escalations"]["by_reason_and_severity"]
    }
    assert by_reason == {("crisis", "critical"): 6, ("missed_checkins", "medium"): 6}
    kinds = {(r["kind"], r["status"]): r["count"] for r in body["referrals"]["by_kind_and_status"]}
    assert kinds[("employment", "completed")] == 6
    assert kinds[("housing", "declined")] == HIDDEN and kinds[("housing", "proposed")] == HIDDEN
    assert body["helpful"]["ratings"]["4"] == 6 and body["helpful"]["ratings"]["1"] == HIDDEN
    assert body["helpful"]["average"] == 4.0


def test_a_small_region_shows_only_hidden_counts(client: TestClient, world: dict[str, Any]) -> None:
    body = _get(client, world["admin"], region="Astana").json()
    astana = [i for i, p in enumerate(PEOPLE) if p[0] == "Astana"]
    _check(body, _expected(astana))
    assert body["people"] == {"enrolled_in_period": HIDDEN, "active_now": HIDDEN}
    small = [(path, n) for path, n in _numbers(body) if 0 < n < 5]
    assert small == []


def _numbers(value: Any, path: str = "") -> list[tuple[str, float]]:
    """Every number anywhere in an answer, with where it sits."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [(path, value)]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _numbers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _numbers(v, f"{path}[{i}]")]
    return []


def test_an_officer_sees_their_own_caseload(client: TestClient, world: dict[str, Any]) -> None:
    body = _get(client, world["a"]).json()
    assert body["scope"] == "caseload"
    own = [i for i, p in enumerate(PEOPLE) if p[1] == "a"]
    _check(body, _expected(own))


def test_the_csv_carries_the_same_figures(client: TestClient, world: dict[str, Any]) -> None:
    query = {"from": FROM.isoformat(), "to": TO.isoformat()}
    response = client.get("/api/v1/reports/summary.csv", params=query, headers=world["admin"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["section", "item", "measure", "value"]
    cells = {(s, i, m): v for s, i, m, v in table[1:]}
    assert cells[("people", "all", "enrolled_in_period")] == "14"
    assert cells[("referrals", "housing/declined", "count")] == HIDDEN
    assert cells[("escalations", "crisis/critical", "count")] == "6"


def test_partners_may_not_and_bad_periods_are_refused(
    client: TestClient, world: dict[str, Any]
) -> None:
    assert _get(client, world["ngo"]).status_code == 403
    assert client.get("/api/v1/reports/summary").status_code == 401
    bad = [
        {"from": TO.isoformat(), "to": FROM.isoformat()},
        {"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"from": "2026-01-01T00:00:00"},
        {"from": "yesterday"},
        {"region": "x" * 100},
    ]
    for params in bad:
        response = client.get("/api/v1/reports/summary", params=params, headers=world["admin"])
        assert response.status_code == 422, (params, response.text)
