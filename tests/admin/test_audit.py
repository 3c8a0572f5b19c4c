"""The audit trail for admins: filters, keyset pages newest first, CSV, and no way to
change or delete an event."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.core.db import session_scope
from bot.models import AuditEvent
from bot.services.audit_log import AuditFilter, stream_audit
from tests.admin.helpers import enroll

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(make_user, login):
    user_id = make_user("admin@example.org", "admin")
    return {"id": user_id, "headers": login("admin@example.org")}


def _add_events(engine, *events: dict) -> list[int]:
    with Session(engine, expire_on_commit=False) as session:
        rows = [AuditEvent(**{"entity_type": "person", **event}) for event in events]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]


def _list(client, headers, **params):
    response = client.get("/api/v1/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_admin_pages_through_the_trail_newest_first(client, engine, admin):
    ids = _add_events(
        engine, *({"action": "person.read", "person_id": 7, "created_at": T0} for _ in range(5))
    )
    first = _list(client, admin["headers"], action="person.read", limit=2)
    assert [item["id"] for item in first["items"]] == [ids[4], ids[3]]
    second = _list(
        client, admin["headers"], action="person.read", limit=2, before=first["next_before"]
    )
    third = _list(
        client, admin["headers"], action="person.read", limit=2, before=second["next_before"]
    )
    assert [item["id"] for item in second["items"]] == [ids[2], ids[1]]
    assert [item["id"] for item in third["items"]] == [ids[0]]
    assert third["next_before"] is None
    assert first["items"][0]["created_at"] == "2026-05-01T09:00:00Z"


def test_every_filter_narrows_the_list(client, engine, admin, make_user):
    other = make_user("officer.b@example.org")
    ids = _add_events(
        engine,
        {"action": "person.read", "person_id": 1, "actor_user_id": other, "created_at": T0},
        {"action": "person.update", "person_id": 1, "actor_user_id": other, "created_at": T0},
        {"action": "person.read", "person_id": 2, "created_at": T0 + timedelta(hours=1)},
        {
            "action": "invite.create",
            "entity_type": "invite",
            "person_id": 2,
            "created_at": T0 + timedelta(hours=2),
        },
    )
    headers = admin["headers"]

    def found(**params) -> list[int]:
        return [
            item["id"] for item in _list(client, headers, **params)["items"] if item["id"] in ids
        ]

    assert found(action="person.read") == [ids[2], ids[0]]
    assert found(person_id=1) == [ids[1], ids[0]]
    assert found(actor_user_id=other) == [ids[1], ids[0]]
    assert found(entity_type="invite") == [ids[3]]
    assert found(since=(T0 + timedelta(hours=1)).isoformat()) == [ids[3], ids[2]]
    assert found(until=(T0 + timedelta(hours=1)).isoformat()) == [ids[1], ids[0]]
    assert found(
        since="2026-05-01T15:00:00+05:00", until="2026-05-01T16:00:00+05:00", person_id=2
    ) == [ids[2]]


def test_reading_the_trail_is_itself_audited_with_the_filters(client, engine, admin):
    _list(client, admin["headers"], person_id=3, action="person.read")
    with Session(engine) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.list")).all()
    assert event.actor_user_id == admin["id"]
    assert event.detail == {"person_id": 3, "action": "person.read", "items": 0}
    assert event.address == "testclient"


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-05-01T09:00:00"},  # no offset
        {"until": "yesterday"},
        {"limit": 0},
        {"limit": 501},
        {"before": 2**31},
        {"person_id": 0},
        {"actor_user_id": 2**63},
        {"action": "x" * 61},
    ],
)
def test_bad_filters_are_422(client, admin, params):
    response = client.get("/api/v1/audit", params=params, headers=admin["headers"])
    assert response.status_code == 422
    assert "detail" in response.json()


def test_only_admins_read_the_trail(client, officer):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit.csv").status_code == 401
    assert client.get("/api/v1/audit", headers=officer["headers"]).status_code == 403
    assert client.get("/api/v1/audit.csv", headers=officer["headers"]).status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit.csv"])
def test_no_route_changes_or_deletes_an_event(client, engine, admin, method, path):
    [event_id] = _add_events(engine, {"action": "person.read", "person_id": 1})
    response = client.request(method, path, headers=admin["headers"], json={"id": event_id})
    assert response.status_code == 405
    with Session(engine) as session:
        assert session.get(AuditEvent, event_id) is not None


def test_the_csv_export_streams_every_matching_event_with_formulas_defused(client, engine, admin):
    _add_events(
        engine,
        {"action": "person.read", "person_id": 9, "created_at": T0},
        {
            "action": '=HYPERLINK("http://x")',
            "entity_type": "+cmd",
            "person_id": 9,
            "address": "@evil",
            "detail": {"k": "v"},
            "created_at": T0 + timedelta(minutes=1),
        },
        {"action": "person.read", "person_id": 10, "created_at": T0},
    )
    response = client.get("/api/v1/audit.csv", params={"person_id": 9}, headers=admin["headers"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["id", "created_at", "actor_user_id", "actor_kind", "action"]
    body = rows[1:]
    assert [row[4] for row in body] == ['\'=HYPERLINK("http://x")', "person.read"]
    assert body[0][5] == "'+cmd" and body[0][8] == "'@evil"
    assert body[0][9] == '{"k": "v"}'
    assert {row[7] for row in body} == {"9"}


def test_the_csv_export_is_audited_and_reads_in_batches(client, engine, admin):
    ids = _add_events(engine, *({"action": "checkin.create", "person_id": 4} for _ in range(7)))
    response = client.get(
        "/api/v1/audit.csv", params={"action": "checkin.create"}, headers=admin["headers"]
    )
    assert [int(row[0]) for row in list(csv.reader(io.StringIO(response.text)))[1:]] == ids[::-1]
    # The stream reads the trail a batch at a time and loses nothing between batches.
    streamed = [e.id for e in stream_audit(engine, AuditFilter(action="checkin.create"), batch=3)]
    assert streamed == ids[::-1]
    with session_scope(engine) as session:
        mine = select(AuditEvent).where(AuditEvent.actor_user_id == admin["id"])
        actions = [event.action for event in session.exec(mine)]
    assert "audit.export" in actions


def test_api_writes_land_in_the_trail(client, engine, admin):
    person = enroll(client, admin["headers"], display_name="Trail Person")
    items = _list(client, admin["headers"], person_id=person["id"])["items"]
    assert [(item["action"], item["actor_user_id"]) for item in items] == [
        ("person.create", admin["id"])
    ]
    assert items[0]["address"] == "testclient"
