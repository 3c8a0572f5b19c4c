"""Enrolling people and reading the caseload: validation, scope by role, keyset pagination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.db import session_scope
from bot.models import Organisation, Person
from tests.admin.conftest import Login, MakeUser
from tests.admin.helpers import audit_actions, enroll, update_person

URL = "/api/v1/persons"
PUBLIC_FIELDS = {
    "id",
    "display_name",
    "language",
    "region",
    "timezone",
    "supervision_level",
    "status",
    "officer_id",
    "phone",
    "consent_given",
    "checkin_interval_hours",
    "next_checkin_at",
    "created_at",
}


def _errors(response: Any) -> str:
    assert response.status_code == 422, response.text
    return " | ".join(f"{e['loc'][-1]}: {e['msg']}" for e in response.json()["detail"])


# --- create ------------------------------------------------------------------------------------


def test_officer_enrolls_into_own_caseload(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"], display_name="  Айдос  ", region="Karaganda")

    assert set(person) == PUBLIC_FIELDS
    assert person["display_name"] == "Айдос"
    assert person["officer_id"] == officer["id"]
    assert person["status"] == "invited"
    assert person["language"] == "ru"
    assert person["timezone"] == "Asia/Almaty"
    assert person["supervision_level"] == "medium"
    assert person["phone"] is None
    assert person["consent_given"] is None
    created = datetime.fromisoformat(person["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
    assert ("person.create", officer["id"]) in audit_actions(engine, person["id"])


def test_enroll_with_every_field(client: TestClient, officer: dict[str, Any]) -> None:
    person = enroll(
        client,
        officer["headers"],
        display_name="Daniyar",
        language="kk",
        region="Astana",
        timezone="Asia/Aqtobe",
        supervision_level="high",
        phone="8 701 123 45 67",
    )
    assert person["language"] == "kk"
    assert person["timezone"] == "Asia/Aqtobe"
    assert person["supervision_level"] == "high"
    assert person["phone"] == "+77011234567"

    again = client.get(f"{URL}/{person['id']}", headers=officer["headers"]).json()
    assert again == person


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("8 701 123 45 67", "+77011234567"),
        ("+7 701 123 45 67", "+77011234567"),
        ("+7 912 345 67 89", "+79123456789"),  # Russia shares +7: kept as a Russian number
        ("+998 90 123 45 67", "+998901234567"),
    ],
)
def test_phone_is_stored_as_e164(
    client: TestClient, officer: dict[str, Any], engine: Engine, raw: str, e164: str
) -> None:
    person = enroll(client, officer["headers"], phone=raw)
    assert person["phone"] == e164
    with Session(engine) as session:
        stored = session.get(Person, person["id"])
        assert stored is not None and stored.phone_e164 == e164


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "at least 1 character"),
        ({"display_name": "   "}, "display_name", "at least 1 character"),
        ({"display_name": "x" * 121}, "display_name", "at most 120"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"timezone": "../../etc/passwd"}, "timezone", "unknown time zone"),
        ({"phone": "123"}, "phone", "not a valid number; write it as +7 701 123 45 67"),
        ({"phone": "not a phone"}, "phone", "not a valid number"),
        ({"language": "fr"}, "language", "'ru', 'kk' or 'en'"),
        ({"supervision_level": "extreme"}, "supervision_level", "'low', 'medium' or 'high'"),
        ({"region": "r" * 65}, "region", "at most 64"),
        ({"status": "active"}, "status", "Extra inputs are not permitted"),
        ({"officer_id": "me"}, "officer_id", "valid integer"),
    ],
)
def test_create_validation(
    client: TestClient, officer: dict[str, Any], body: dict[str, Any], field: str, message: str
) -> None:
    response = client.post(URL, json={"display_name": "Name", **body}, headers=officer["headers"])
    errors = _errors(response)
    assert f"{field}: " in errors
    assert message in errors


def test_malformed_bodies_are_422(client: TestClient, officer: dict[str, Any]) -> None:
    headers = {**officer["headers"], "Content-Type": "application/json"}
    assert client.post(URL, content=b"{not json", headers=headers).status_code == 422
    assert client.post(URL, content=b"[]", headers=headers).status_code == 422
    assert client.post(URL, headers=officer["headers"]).status_code == 422
    assert client.post(URL, json={}, headers=officer["headers"]).status_code == 422


def test_officer_cannot_enroll_into_someone_elses_caseload(
    client: TestClient, officer: dict[str, Any], make_user: MakeUser
) -> None:
    other = make_user("officer.b@example.org")
    response = client.post(
        URL, json={"display_name": "X", "officer_id": other}, headers=officer["headers"]
    )
    assert response.status_code == 403
    # Naming oneself is fine.
    mine = enroll(client, officer["headers"], officer_id=officer["id"])
    assert mine["officer_id"] == officer["id"]


def test_supervisor_assigns_within_team_only(
    client: TestClient, make_user: MakeUser, login: Login
) -> None:
    supervisor = make_user("sup@example.org", "supervisor")
    in_team = make_user("team@example.org", supervisor_id=supervisor)
    outside = make_user("outside@example.org")
    headers = login("sup@example.org")

    assert enroll(client, headers, officer_id=in_team)["officer_id"] == in_team
    assert enroll(client, headers)["officer_id"] == supervisor
    refused = client.post(URL, json={"display_name": "X", "officer_id": outside}, headers=headers)
    missing = client.post(URL, json={"display_name": "X", "officer_id": 999999}, headers=headers)
    assert "no such officer" in _errors(refused)
    assert refused.json() == missing.json()


def test_admin_assigns_to_any_caseworker(
    client: TestClient, make_user: MakeUser, login: Login, engine: Engine
) -> None:
    make_user("admin@example.org", "admin")
    officer_id = make_user("officer@example.org")
    disabled = make_user("disabled@example.org", is_active=False)
    with session_scope(engine) as session:
        organisation = Organisation(name="NGO", services=["housing"])
        session.add(organisation)
        session.flush()
        organisation_id = organisation.id
    ngo = make_user("ngo@example.org", "ngo", organisation_id=organisation_id)
    headers = login("admin@example.org")

    assert enroll(client, headers, officer_id=officer_id)["officer_id"] == officer_id
    for unfit in (ngo, disabled, 999999):
        response = client.post(
            URL, json={"display_name": "X", "officer_id": unfit}, headers=headers
        )
        assert "no such officer" in _errors(response)
    # Beyond the id column's range: refused at validation, before any query.
    response = client.post(URL, json={"display_name": "X", "officer_id": 10**30}, headers=headers)
    assert response.status_code == 422 and "officer_id" in _errors(response)


def test_ngo_accounts_are_forbidden(
    client: TestClient, make_user: MakeUser, login: Login, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    with session_scope(engine) as session:
        organisation = Organisation(name="NGO", services=["housing"])
        session.add(organisation)
        session.flush()
        organisation_id = organisation.id
    make_user("ngo@example.org", "ngo", organisation_id=organisation_id)
    headers = login("ngo@example.org")

    assert client.post(URL, json={"display_name": "X"}, headers=headers).status_code == 403
    assert client.get(URL, headers=headers).status_code == 403
    for method, path in (
        ("GET", ""),
        ("POST", "/invites"),
        ("GET", "/timeline"),
        ("POST", "/checkins"),
    ):
        response = client.request(method, f"{URL}/{person['id']}{path}", headers=headers)
        assert response.status_code == 403, (method, path)


# --- scope -------------------------------------------------------------------------------------


def test_officers_see_only_their_own_caseload(
    client: TestClient, officer: dict[str, Any], make_user: MakeUser, login: Login, engine: Engine
) -> None:
    theirs = enroll(client, officer["headers"], display_name="A's person")
    b_id = make_user("officer.b@example.org")
    b = login("officer.b@example.org")
    mine = enroll(client, b, display_name="B's person")

    listed = client.get(URL, headers=b).json()
    assert [p["id"] for p in listed["items"]] == [mine["id"]]

    missing = client.get(f"{URL}/999999", headers=b)
    assert missing.status_code == 404
    for method, path, body in (
        ("GET", "", None),
        ("POST", "/invites", None),
        ("GET", "/timeline", None),
        ("POST", "/checkins", None),
        ("POST", "/checkins", {"due_at": "2030-01-01T00:00:00Z"}),
    ):
        other = client.request(method, f"{URL}/{theirs['id']}{path}", headers=b, json=body)
        unknown = client.request(method, f"{URL}/999999{path}", headers=b, json=body)
        assert other.status_code == unknown.status_code == 404, (method, path)
        assert other.json() == unknown.json() == missing.json()
    # Nothing was done to A's person and nothing was read by B; each refusal is audited.
    assert (
        audit_actions(engine, theirs["id"])
        == [("person.create", officer["id"])] + [("person.read_refused", b_id)] * 5
    )


def test_supervisor_sees_team_and_own(
    client: TestClient, make_user: MakeUser, login: Login
) -> None:
    supervisor = make_user("sup@example.org", "supervisor")
    make_user("team@example.org", supervisor_id=supervisor)
    make_user("outside@example.org")
    sup, team, outside = (
        login(e) for e in ("sup@example.org", "team@example.org", "outside@example.org")
    )
    own_person = enroll(client, sup)
    team_person = enroll(client, team)
    outside_person = enroll(client, outside)

    listed = client.get(URL, headers=sup).json()["items"]
    assert [p["id"] for p in listed] == [own_person["id"], team_person["id"]]
    assert client.get(f"{URL}/{team_person['id']}", headers=sup).status_code == 200
    assert client.post(f"{URL}/{team_person['id']}/invites", headers=sup).status_code == 201
    assert client.post(f"{URL}/{outside_person['id']}/invites", headers=sup).status_code == 404
    assert client.get(f"{URL}/{outside_person['id']}", headers=sup).status_code == 404
    # The team officer does not see the supervisor's own person.
    assert client.get(f"{URL}/{own_person['id']}", headers=team).status_code == 404


def test_admin_sees_everyone(client: TestClient, make_user: MakeUser, login: Login) -> None:
    make_user("admin@example.org", "admin")
    make_user("o1@example.org")
    make_user("o2@example.org")
    ids = [enroll(client, login(e))["id"] for e in ("o1@example.org", "o2@example.org")]
    admin = login("admin@example.org")

    assert [p["id"] for p in client.get(URL, headers=admin).json()["items"]] == ids
    assert all(client.get(f"{URL}/{i}", headers=admin).status_code == 200 for i in ids)


def test_reading_a_person_is_audited(
    client: TestClient, officer: dict[str, Any], engine: Engine
) -> None:
    person = enroll(client, officer["headers"])
    client.get(f"{URL}/{person['id']}", headers=officer["headers"])
    client.get(URL, headers=officer["headers"])

    assert ("person.read", officer["id"]) in audit_actions(engine, person["id"])
    assert ("person.list", officer["id"]) in audit_actions(engine)


# --- listing -----------------------------------------------------------------------------------


def test_keyset_pagination_has_no_gaps_or_duplicates(
    client: TestClient, officer: dict[str, Any]
) -> None:
    created = [enroll(client, officer["headers"], display_name=f"P{i}")["id"] for i in range(7)]

    seen: list[int] = []
    after: int | None = None
    pages = []
    while True:
        params: dict[str, int] = {"limit": 3} | ({"after": after} if after is not None else {})
        page = client.get(URL, params=params, headers=officer["headers"]).json()
        pages.append(len(page["items"]))
        seen += [p["id"] for p in page["items"]]
        after = page["next_after"]
        if after is None:
            break

    assert pages == [3, 3, 1]
    assert seen == sorted(created)


def test_exact_multiple_of_the_page_size_ends_with_null(
    client: TestClient, officer: dict[str, Any]
) -> None:
    for i in range(3):
        enroll(client, officer["headers"], display_name=f"P{i}")
    page = client.get(URL, params={"limit": 3}, headers=officer["headers"]).json()
    assert len(page["items"]) == 3
    assert page["next_after"] is None


def test_status_filter(client: TestClient, officer: dict[str, Any], engine: Engine) -> None:
    invited = enroll(client, officer["headers"])
    active = enroll(client, officer["headers"])
    update_person(engine, active["id"], status="active")

    def ids(status: str) -> list[int]:
        response = client.get(URL, params={"status": status}, headers=officer["headers"])
        return [p["id"] for p in response.json()["items"]]

    assert ids("active") == [active["id"]]
    assert ids("invited") == [invited["id"]]
    assert (
        client.get(URL, params={"status": "bogus"}, headers=officer["headers"]).status_code == 422
    )


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"limit": "x"}, {"after": "abc"}, {"after": 10**30}],
)
def test_bad_list_parameters(
    client: TestClient, officer: dict[str, Any], params: dict[str, Any]
) -> None:
    assert client.get(URL, params=params, headers=officer["headers"]).status_code == 422


def test_bad_and_huge_ids(client: TestClient, officer: dict[str, Any]) -> None:
    assert client.get(f"{URL}/abc", headers=officer["headers"]).status_code == 422
    # Ids outside 1..2**31-1 cannot exist: refused at validation with the range in the message.
    for bad in (2**31, 2**63, 10**30, 0, -1):
        response = client.get(f"{URL}/{bad}", headers=officer["headers"])
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["path", "person_id"]
    assert client.get(f"{URL}/{2**31 - 1}", headers=officer["headers"]).status_code == 404
