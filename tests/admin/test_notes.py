"""POST/GET /persons/{id}/notes: staff-only notes, on the timeline, audited both ways."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.db import session_scope
from bot.models import Organisation
from tests.admin.helpers import audit_actions, enroll, update_person


def test_an_officer_writes_and_reads_notes_newest_first(client, officer, engine):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/notes"

    first = client.post(url, json={"body": "Called, no answer."}, headers=officer["headers"])
    second = client.post(
        url, json={"body": "  Met at the centre.\nDoing well.  "}, headers=officer["headers"]
    )

    assert first.status_code == 201, first.text
    assert second.json()["body"] == "Met at the centre.\nDoing well."
    assert second.json()["author_id"] == officer["id"]
    listed = client.get(url, headers=officer["headers"])
    assert listed.status_code == 200
    assert [item["body"] for item in listed.json()["items"]] == [
        "Met at the centre.\nDoing well.",
        "Called, no answer.",
    ]
    actions = audit_actions(engine, person["id"])
    assert actions.count(("note.create", officer["id"])) == 2
    assert ("note.read", officer["id"]) in actions


def test_notes_are_on_the_timeline(client, officer):
    person = enroll(client, officer["headers"])
    client.post(
        f"/api/v1/persons/{person['id']}/notes",
        json={"body": "Housing sorted."},
        headers=officer["headers"],
    )
    timeline = client.get(f"/api/v1/persons/{person['id']}/timeline", headers=officer["headers"])
    notes = [item for item in timeline.json()["items"] if item["type"] == "note"]
    assert [(note["body"], note["author_id"]) for note in notes] == [
        ("Housing sorted.", officer["id"])
    ]


def test_bad_note_bodies_are_refused(client, officer):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/notes"
    for body in (
        {"body": ""},
        {"body": "   "},
        {"body": "x" * 4001},
        {"body": "a\x00b"},
        {"body": "evil\u202etxt"},
        {"body": "\x1b[31mred"},
        {},
        {"body": "ok", "extra": 1},
    ):
        response = client.post(url, json=body, headers=officer["headers"])
        assert response.status_code == 422, (body, response.text)
    assert (
        client.post(url, json={"body": "x" * 4000}, headers=officer["headers"]).status_code == 201
    )


def test_an_ngo_account_cannot_read_or_write_notes(client, officer, engine, make_user, login):
    person = enroll(client, officer["headers"])
    with session_scope(engine) as session:
        org = Organisation(name="Shelter", kind="housing")
        session.add(org)
        session.flush()
        org_id = org.id
    make_user("ngo@example.org", role="ngo", organisation_id=org_id)
    url = f"/api/v1/persons/{person['id']}/notes"
    headers = login("ngo@example.org")
    assert client.get(url, headers=headers).status_code == 403
    assert client.post(url, json={"body": "hi"}, headers=headers).status_code == 403
    assert client.get(url).status_code == 401


def test_out_of_scope_and_erased_people(client, officer, engine, make_user, login):
    person = enroll(client, officer["headers"])
    make_user("officer.b@example.org")
    url = f"/api/v1/persons/{person['id']}/notes"
    other = login("officer.b@example.org")
    assert client.get(url, headers=other).status_code == 404
    assert client.post(url, json={"body": "x"}, headers=other).status_code == 404
    assert client.get("/api/v1/persons/999999/notes", headers=officer["headers"]).status_code == 404

    update_person(engine, person["id"], erased_at=datetime(2026, 1, 1, tzinfo=UTC))
    refused = client.post(url, json={"body": "x"}, headers=officer["headers"])
    assert refused.status_code == 409 and "erased" in refused.json()["detail"]
