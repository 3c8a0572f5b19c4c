"""Every POST and PATCH route, probed as an attacker would: hostile values in each field,
bodies that are not what they claim, and random text. Each answer is a JSON 4xx with
`detail`, never a 500, and nothing is stored."""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from bot.core.clock import utcnow
from bot.models import Appointment, Escalation, Opportunity, Organisation, Person, Referral
from tests.admin.conftest import Login, MakeUser
from tests.factories import make_enrolled

HOSTILE_VALUES: list[Any] = [
    "Ai\ud800dos",  # lone surrogate
    "Ai\x00dos",  # NUL
    "Aidos\u202eexe",  # right-to-left override
    "\x1b]0;owned\x07\x1b[2J",  # terminal escapes
    "x" * 10_000,
    math.nan,
    math.inf,
    -math.inf,
    2**63,
    -(2**63),
    10**30,
    [],
    {"$gt": ""},
    True,
]

# Dates that overflow once converted to UTC: hostile wherever a date or a code is expected,
# but ordinary words in a free-text field.
OVERFLOWING_DATES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
FREE_TEXT = frozenset(
    {
        "display_name",
        "region",
        "place",
        "note",
        "body",
        "text",
        "full_name",
        "password",
        "reason",
        "name",
        "address",
        "opening_hours",
    }
)

# Lists where an empty one means something ordinary.
MAY_BE_EMPTY = frozenset({"regions", "languages"})

HOSTILE_BODIES: list[bytes] = [
    b"",
    b"not json at all",
    b"{",
    b"[]",
    b'"a string"',
    b"null",
    b"1e999",
    b"[" * 50_000,  # deep nesting: the JSON parser's recursion limit
    b'{"a": "\\ud800"}',
    '{"display_name": "\u0000"}'.encode(),
    b"\xff\xfe\x00garbage",  # not UTF-8
]


@dataclass
class Route:
    method: str
    path: str
    valid: dict[str, Any]  # a body that would be accepted; each field is made hostile in turn
    headers: dict[str, str]
    body_optional: bool = False  # then an empty body or null is a valid request


def _row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def _stored_text(engine: Engine) -> str:
    """Everything in the tables a person's record lives in, as one string to search."""
    with Session(engine) as session:
        rows = []
        for table in ("person", "appointment", "checkin", "invite", "referral", "audit_event"):
            rows += [str(tuple(row)) for row in session.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608
    return "\n".join(rows)


def _send(client: TestClient, route: Route, raw: bytes, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    return client.request(
        route.method,
        route.path,
        content=raw,
        headers={**route.headers, "Content-Type": content_type},
    )


def _assert_refused(response: Any, what: object) -> None:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), what
    assert "detail" in response.json(), what


@pytest.fixture
def routes(client: TestClient, engine: Engine, make_user: MakeUser, login: Login) -> list[Route]:
    officer_id = make_user("officer@example.org")
    officer = login("officer@example.org")
    person, _ = make_enrolled(engine, officer_id=officer_id, display_name="Existing")
    with Session(engine, expire_on_commit=False) as session:
        org = Organisation(name="NGO", services=["housing"])
        other_org = Organisation(name="Other NGO", services=["housing", "legal_aid"])
        session.add_all([org, other_org])
        session.flush()
        referral = Referral(
            person_id=person.id,
            organisation_id=org.id,
            kind="housing",
            status="sent",
            shared_fields={},
        )
        session.add(referral)
        opening = Opportunity(
            organisation_id=org.id, kind="housing", title={"ru": "Комната"}, region="Karaganda"
        )
        session.add(opening)
        session.commit()
    make_user("ngo@example.org", role="ngo", organisation_id=org.id)
    ngo = login("ngo@example.org")
    make_user("admin@example.org", role="admin")
    admin = login("admin@example.org")
    colleague = make_user("colleague@example.org")
    with Session(engine, expire_on_commit=False) as session:
        escalation = Escalation(
            person_id=person.id, reason="low_mood", severity="medium", severity_rank=2
        )
        appointment = Appointment(
            person_id=person.id, starts_at=utcnow() + timedelta(days=2), kind="meeting"
        )
        session.add_all([escalation, appointment])
        session.commit()
    base = f"/api/v1/persons/{person.id}"
    soon = (utcnow() + timedelta(days=3)).isoformat()
    return [
        Route(
            "POST",
            "/api/v1/persons",
            {
                "display_name": "New Person",
                "language": "en",
                "region": "Almaty",
                "timezone": "Asia/Almaty",
                "phone": "+77011234567",
                "officer_id": officer_id,
                "supervision_level": "high",
            },
            officer,
        ),
        Route(
            "PATCH",
            base,
            {
                "display_name": "Renamed",
                "language": "kk",
                "region": "Astana",
                "timezone": "Asia/Almaty",
                "phone": "+77011234568",
                "supervision_level": "low",
                "checkin_interval_hours": 48,
            },
            officer,
        ),
        Route("POST", f"{base}/invites", {"channel": "telegram"}, officer, body_optional=True),
        Route("POST", f"{base}/checkins", {"due_at": soon}, officer, body_optional=True),
        Route(
            "POST",
            f"{base}/appointments",
            {"starts_at": soon, "kind": "meeting", "place": "Office 4"},
            officer,
        ),
        Route(
            "POST",
            f"/api/v1/referrals/{referral.id}/status",
            {"status": "accepted", "reason": "Welcome"},
            ngo,
        ),
        Route(
            "POST",
            f"{base}/referrals",
            {
                "organisation_id": other_org.id,
                "kind": "legal_aid",
                "note": "papers for a flat",
                "fields": ["first_name", "language"],
            },
            officer,
        ),
        Route(
            "POST",
            f"{base}/referrals/{referral.id}/cancel",
            {"reason": "Found a room with family."},
            officer,
        ),
        Route("POST", f"{base}/notes", {"body": "Met at the centre."}, officer),
        Route("POST", f"{base}/messages", {"text": "Can we meet on Friday?"}, officer),
        Route(
            "PATCH",
            f"{base}/appointments/{appointment.id}",
            {"starts_at": soon, "kind": "documents", "place": "Office 5"},
            officer,
        ),
        Route(
            "POST",
            f"/api/v1/escalations/{escalation.id}/resolve",
            {"outcome": "contacted_safe", "note": "Spoke on the phone."},
            officer,
        ),
        Route(
            "POST",
            "/api/v1/users",
            {
                "email": "new.officer@example.org",
                "password": "a long enough secret",
                "role": "officer",
                "full_name": "New Officer",
                "region": "Almaty",
                "language": "kk",
                "timezone": "Asia/Almaty",
            },
            admin,
        ),
        Route(
            "POST",
            "/api/v1/organisations",
            {
                "name": "Umit Centre",
                "services": ["employment", "legal_aid"],
                "regions": ["Karaganda"],
                "languages": ["ru", "kk"],
                "contact_email": "intake@umit.example",
                "contact_phone": "+77212000101",
                "address": "Bukhar-Zhyrau 45",
                "opening_hours": "Mon-Fri 9-18",
                "webhook_url": "https://hooks.umit.example/in",
            },
            admin,
        ),
        Route(
            "PATCH",
            f"/api/v1/organisations/{org.id}",
            {"name": "NGO Renamed", "regions": ["Astana"], "opening_hours": "24/7"},
            admin,
        ),
        Route(
            "POST",
            "/api/v1/opportunities",
            {
                "organisation_id": org.id,
                "kind": "housing",
                "region": "Karaganda",
                "title": {"ru": "Комната", "en": "A room"},
                "description": {"ru": "На месяц"},
                "capacity": 2,
            },
            ngo,
        ),
        Route(
            "PATCH",
            f"/api/v1/opportunities/{opening.id}",
            {"title": {"kk": "Бөлме", "ru": "Комната"}, "status": "closed", "capacity": 3},
            ngo,
        ),
        Route(
            "PATCH",
            f"/api/v1/users/{colleague}",
            {"full_name": "Colleague", "region": "Astana", "language": "en"},
            admin,
        ),
        Route(
            "PATCH",
            "/api/v1/me",
            {
                "full_name": "Admin",
                "language": "ru",
                "timezone": "Asia/Almaty",
                "digest_hour": 8,
                "alert_email": True,
            },
            admin,
        ),
        # Last: the case moves to another officer.
        Route("POST", f"{base}/transfer", {"officer_id": colleague}, admin),
    ]


# POST/PATCH routes with a JSON body that the probes above do not send, each with the test
# that covers its hostile input instead. A new route must join `routes` or this list.
COVERED_ELSEWHERE = {
    "/api/v1/auth/token": "a form: test_the_login_form_refuses_hostile_values_without_a_500",
    "/api/v1/auth/refresh": "test_refresh.py: unknown, malformed and missing tokens",
    "/api/v1/auth/logout": "test_refresh.py: always 204, unknown tokens included",
    "/api/v1/me/password": "test_me.py: ends sessions, so it cannot share the probes' tokens",
    "/api/v1/me/totp/confirm": "test_totp.py: needs an enrolment first",
}


def test_every_route_that_takes_a_body_is_probed(client: TestClient, routes: list[Route]) -> None:
    probed = {_template(route.path) for route in routes}
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/api/v1/") or "requestBody" not in operation:
                continue
            if method not in ("post", "patch", "put"):
                continue
            assert path in probed or path in COVERED_ELSEWHERE, f"{method} {path}"


def _template(path: str) -> str:
    """/api/v1/persons/12/notes -> /api/v1/persons/{person_id}/notes (as OpenAPI names it)."""
    names = {
        "persons": "person_id",
        "referrals": "referral_id",
        "escalations": "escalation_id",
        "users": "user_id",
        "appointments": "appointment_id",
        "organisations": "organisation_id",
        "opportunities": "opportunity_id",
    }
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part.isdigit() and i > 0 and parts[i - 1] in names:
            parts[i] = "{" + names[parts[i - 1]] + "}"
    return "/".join(parts)


def test_the_valid_bodies_are_valid(client: TestClient, routes: list[Route]) -> None:
    """So that the refusals below are the hostile value's doing, not a broken baseline."""
    for route in routes:
        response = client.request(route.method, route.path, json=route.valid, headers=route.headers)
        assert response.status_code in (200, 201), (route.path, response.text)


def test_a_hostile_value_in_any_field_is_refused_and_nothing_is_stored(
    client: TestClient, engine: Engine, routes: list[Route]
) -> None:
    before = _row_counts(engine)
    for route in routes:
        for field in route.valid:
            dates = [] if field in FREE_TEXT else OVERFLOWING_DATES
            for value in [*HOSTILE_VALUES, *dates]:
                if isinstance(route.valid[field], bool) and isinstance(value, bool):
                    continue  # true is a valid answer to a yes/no field
                if field in MAY_BE_EMPTY and value == []:
                    continue  # no regions: serves everywhere; no languages: not stated
                body = {**route.valid, field: value}
                raw = json.dumps(body, allow_nan=True).encode()
                _assert_refused(_send(client, route, raw), (route.path, field, repr(value)[:40]))
    assert _row_counts(engine) == before
    stored = _stored_text(engine)
    for marker in ("Aidos", "owned", "xxxxxxxxxx", "\x00", "\u202e"):
        assert marker not in stored


def test_bodies_that_are_not_the_json_they_claim_are_refused(
    client: TestClient, engine: Engine, routes: list[Route]
) -> None:
    before = _row_counts(engine)
    for route in routes:
        for raw in HOSTILE_BODIES:
            if route.body_optional and raw in (b"", b"null"):
                continue
            _assert_refused(_send(client, route, raw), (route.path, raw[:20]))
        valid = json.dumps(route.valid).encode()
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "image/png"):
            _assert_refused(_send(client, route, valid, content_type), (route.path, content_type))
        extra = json.dumps({**route.valid, "is_admin": True}).encode()
        _assert_refused(_send(client, route, extra), (route.path, "unknown field"))
    assert _row_counts(engine) == before


def test_the_login_form_refuses_hostile_values_without_a_500(client: TestClient) -> None:
    def form(username: str, password: str) -> bytes:
        def quoted(value: str) -> str:
            return quote_from_bytes(value.encode("utf-8", "surrogatepass"))

        return f"username={quoted(username)}&password={quoted(password)}".encode()

    for raw in (
        form("\x00", "x"),
        form("a" * 10_000, "b" * 10_000),
        form("\ud800", "\ud800"),
        form("officer@example.org\r\nX-Injected: 1", "x"),
        b"username=%FF%FE&password=%00",
        b"\xff\xfe",
        b"",
    ):
        response = client.post(
            "/api/v1/auth/token",
            content=raw,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        _assert_refused(response, raw[:20])
    _assert_refused(client.post("/api/v1/auth/token", json={"username": "a"}), "json")


_UNSAFE = {"Cs", "Cc", "Cf", "Zl", "Zp"}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.text(max_size=150))
def test_any_name_is_refused_or_stored_clean(
    client: TestClient, engine: Engine, routes: list[Route], name: str
) -> None:
    create = routes[0]
    raw = json.dumps({"display_name": name}).encode()  # \u escapes: surrogates survive
    response = _send(client, create, raw)
    if response.status_code == 201:
        stored = response.json()["display_name"]
        assert stored == name.strip() and 1 <= len(stored) <= 120
        assert not any(unicodedata.category(c) in _UNSAFE for c in stored)
        with Session(engine) as session:
            person = session.get(Person, response.json()["id"])
            assert person is not None and person.display_name == stored
    else:
        _assert_refused(response, "random name")
        assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/persons", {"after": 2**63}),
        ("/api/v1/persons", {"after": 2**31}),
        ("/api/v1/persons", {"after": -1}),
        ("/api/v1/persons", {"limit": 2**63}),
        ("/api/v1/persons", {"status": "\x00"}),
        ("{person}/timeline", {"before": "0001-01-01T00:00:00+05:00"}),
        ("{person}/timeline", {"before": "9999-12-31T23:59:59-05:00"}),
        ("{person}/timeline", {"before": "2026-03-01T09:00:00"}),
        ("{person}/timeline", {"before": "NaN"}),
        ("{person}/timeline", {"limit": 10**30}),
        ("/api/v1/referrals", {"after": 2**63}),
        ("/api/v1/referrals", {"status": "\u202eaccepted"}),
    ],
)
def test_hostile_query_parameters_are_refused(
    client: TestClient, routes: list[Route], path: str, params: dict[str, Any]
) -> None:
    person_path = routes[1].path  # the PATCH route: /api/v1/persons/{id}
    headers = routes[-1].headers if "referrals" in path else routes[0].headers
    response = client.get(path.format(person=person_path), params=params, headers=headers)
    _assert_refused(response, (path, params))
    assert response.status_code == 422


@pytest.mark.parametrize("bad_id", [2**63, 2**31, -1, 0, "1e3", "NaN"])
def test_no_path_id_gives_a_500(client: TestClient, routes: list[Route], bad_id: object) -> None:
    """Every route with an id in its path, called with an id no table can hold."""
    admin = routes[-1].headers
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if "{" not in path or not path.startswith("/api/v1/"):
            continue
        concrete = path
        while "{" in concrete:
            start, end = concrete.index("{"), concrete.index("}")
            concrete = f"{concrete[:start]}{bad_id}{concrete[end + 1 :]}"
        for method in operations:
            response = client.request(method.upper(), concrete, json={}, headers=admin)
            assert response.status_code < 500, (method, path, bad_id, response.status_code)
            assert response.status_code in (404, 405, 422), (method, path, bad_id)
