"""Officers' notes: caseworkers write and read them, audited both ways, on the timeline,
refused to partners and out of scope, and bounded."""

from __future__ import annotations

from bot.core.clock import utcnow
from tests.admin.helpers import audit_actions, enroll, update_person


def test_a_note_is_written_listed_newest_first_and_on_the_timeline(client, engine, officer):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/notes"
    first = client.post(
        url, json={"body": "Met at the centre.\nLooking for work."}, headers=officer["headers"]
    )
    second = client.post(url, json={"body": "  Called, no answer.  "}, headers=officer["headers"])
    assert first.status_code == second.status_code == 201, first.text
    assert second.json()["body"] == "Called, no answer."
    assert second.json()["author_id"] == officer["id"]

    page = client.get(url, headers=officer["headers"]).json()
    assert [n["body"] for n in page["items"]] == [
        "Called, no answer.",
        "Met at the centre.\nLooking for work.",
    ]
    older = client.get(
        url, params={"before": page["items"][0]["id"], "limit": 1}, headers=officer["headers"]
    ).json()
    assert [n["id"] for n in older["items"]] == [first.json()["id"]]

    timeline = client.get(
        f"/api/v1/persons/{person['id']}/timeline", headers=officer["headers"]
    ).json()
    notes = [item for item in timeline["items"] if item["type"] == "note"]
    assert [n["body"] for n in notes] == [
        "Called, no answer.",
        "Met at the centre.\nLooking for work.",
    ]
    actions = [action for action, _ in audit_actions(engine, person["id"])]
    assert actions.count("note.create") == 2 and "note.list" in actions


def test_partners_and_other_officers_cannot_read_or_write_notes(client, officer, make_user, login):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/notes"
    client.post(url, json={"body": "private"}, headers=officer["headers"])
    make_user("other@example.org")
    make_user("partner@example.org", "ngo")
    other, partner = login("other@example.org"), login("partner@example.org")
    assert client.get(url, headers=other).status_code == 404
    assert client.post(url, json={"body": "x"}, headers=other).status_code == 404
    assert client.get(url, headers=partner).status_code == 403
    assert client.post(url, json={"body": "x"}, headers=partner).status_code == 403


def test_bad_notes_are_refused_clearly(client, officer):
    person = enroll(client, officer["headers"])
    url = f"/api/v1/persons/{person['id']}/notes"
    for body in (
        {"body": ""},
        {"body": "   "},
        {"body": "x" * 4001},
        {"body": "a\x00b"},
        {},
        {"body": 5},
        {"body": "ok", "extra": 1},
    ):
        response = client.post(url, json=body, headers=officer["headers"])
        assert response.status_code == 422, body
        assert "x" * 100 not in response.text
    assert (
        client.post(url, json={"body": "x" * 4000}, headers=officer["headers"]).status_code == 201
    )


def test_a_note_on_an_erased_person_is_409(client, engine, officer):
    person = enroll(client, officer["headers"])
    update_person(engine, person["id"], erased_at=utcnow())
    response = client.post(
        f"/api/v1/persons/{person['id']}/notes", json={"body": "x"}, headers=officer["headers"]
    )
    assert response.status_code == 409
    assert "erased" in response.json()["detail"]
