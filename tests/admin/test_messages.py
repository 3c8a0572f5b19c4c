"""POST /persons/{id}/messages: an officer's words, marked as theirs, through the outbox."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.core.clock import utcnow
from bot.core.db import session_scope
from bot.core.wakeups import listens
from bot.models import ChannelIdentity, Message, Person
from bot.models.enums import MessageStatus
from tests.admin.helpers import audit_actions, enroll, update_person
from tests.reliability.workers import listening_backends, start_worker, wait


def _reachable(client, officer, engine, *, language="en", **identity):
    person = enroll(client, officer["headers"], language=language)
    update_person(engine, person["id"], status="active", consent_given=True)
    with session_scope(engine) as session:
        session.add(
            ChannelIdentity(
                person_id=person["id"],
                channel="telegram",
                address="tg-old",
                last_seen_at=utcnow() - timedelta(days=3),
            )
        )
        session.add(
            ChannelIdentity(
                person_id=person["id"],
                channel="sms",
                address="+77011234567",
                last_seen_at=utcnow() - timedelta(hours=1),
                **identity,
            )
        )
    return person["id"]


def test_the_message_goes_on_the_preferred_channel_marked_as_the_officers(
    client, officer, engine, settings
):
    person_id = _reachable(client, officer, engine)

    response = client.post(
        f"/api/v1/persons/{person_id}/messages",
        json={"text": "  Can we meet on Friday?  "},
        headers=officer["headers"],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["channel"] == "sms" and body["status"] == "queued"
    assert body["sender_user_id"] == officer["id"]
    with Session(engine) as session:
        message = session.get(Message, body["id"])
        assert message is not None
        assert message.body == "Your officer: Can we meet on Friday?"
        assert message.kind == "officer" and message.address == "+77011234567"
        assert message.status == MessageStatus.queued
        person = session.get(Person, person_id)
        assert person is not None and person.officer_reply_until is not None
        window = person.officer_reply_until.replace(tzinfo=UTC) - utcnow()
        assert timedelta(hours=settings.officer_reply_window_hours - 1) < window
        assert window <= timedelta(hours=settings.officer_reply_window_hours)
    assert ("message.officer.create", officer["id"]) in audit_actions(engine, person_id)

    timeline = client.get(
        f"/api/v1/persons/{person_id}/timeline", headers=officer["headers"]
    ).json()
    sent = [
        item
        for item in timeline["items"]
        if item["type"] == "message" and item["kind"] == "officer"
    ]
    assert [(m["status"], m["sender_user_id"]) for m in sent] == [("queued", officer["id"])]


def test_the_prefix_follows_the_persons_language(client, officer, engine):
    person_id = _reachable(client, officer, engine, language="ru")
    response = client.post(
        f"/api/v1/persons/{person_id}/messages", json={"text": "Привет"}, headers=officer["headers"]
    )
    with Session(engine) as session:
        message = session.get(Message, response.json()["id"])
        assert message is not None and message.body == "Ваш куратор: Привет"


def test_an_opted_out_channel_is_skipped_and_no_channel_is_409(client, officer, engine):
    person_id = _reachable(client, officer, engine, opted_out=True)
    url = f"/api/v1/persons/{person_id}/messages"
    fallback = client.post(url, json={"text": "Hello"}, headers=officer["headers"])
    assert fallback.status_code == 201 and fallback.json()["channel"] == "telegram"

    with session_scope(engine) as session:
        for identity in session.exec(
            select(ChannelIdentity).where(ChannelIdentity.person_id == person_id)
        ):
            identity.blocked = True
            session.add(identity)
    refused = client.post(url, json={"text": "Hello"}, headers=officer["headers"])
    assert refused.status_code == 409 and "no channel" in refused.json()["detail"]


def test_closed_erased_and_unconsented_people_get_nothing(client, officer, engine):
    invited = enroll(client, officer["headers"])
    response = client.post(
        f"/api/v1/persons/{invited['id']}/messages", json={"text": "Hi"}, headers=officer["headers"]
    )
    assert response.status_code == 409 and "invited" in response.json()["detail"]

    person_id = _reachable(client, officer, engine)
    url = f"/api/v1/persons/{person_id}/messages"
    update_person(engine, person_id, status="closed")
    assert client.post(url, json={"text": "Hi"}, headers=officer["headers"]).status_code == 409
    update_person(engine, person_id, status="active", erased_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert client.post(url, json={"text": "Hi"}, headers=officer["headers"]).status_code == 409
    with Session(engine) as session:
        assert not session.exec(select(Message).where(Message.person_id == person_id)).all()


def test_bad_texts_and_callers(client, officer, engine, make_user, login):
    person_id = _reachable(client, officer, engine)
    url = f"/api/v1/persons/{person_id}/messages"
    for body in (
        {"text": ""},
        {"text": " "},
        {"text": "x" * 1001},
        {"text": "a\x00"},
        {"text": "\u202eabc"},
        {},
    ):
        response = client.post(url, json=body, headers=officer["headers"])
        assert response.status_code == 422, (body, response.text)
    assert (
        client.post(url, json={"text": "x" * 1000}, headers=officer["headers"]).status_code == 201
    )
    make_user("officer.b@example.org")
    assert (
        client.post(url, json={"text": "Hi"}, headers=login("officer.b@example.org")).status_code
        == 404
    )
    assert client.post(url, json={"text": "Hi"}).status_code == 401


@pytest.mark.slow
def test_with_a_worker_of_its_own_the_message_goes_out_at_once(
    client, officer, engine, settings, fake
):
    """The Procfile's shape on PostgreSQL: the API in `serve --no-worker`, the sending in
    a `jolserik worker` whose outbox poll is a minute. The API's commit notifies the
    worker, which sends within seconds."""
    if not listens(engine):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL (on SQLite one process serves and sends)")
    person = enroll(client, officer["headers"], language="ru")
    update_person(engine, person["id"], status="active", consent_given=True)
    with session_scope(engine) as session:
        session.add(ChannelIdentity(person_id=person["id"], channel="telegram", address="7123"))
    worker = start_worker(settings, fake, OUTBOX_POLL_SECONDS="60")
    try:
        wait(lambda: listening_backends(engine) != [], "the worker listening", 30)
        time.sleep(1.0)  # its first passes (at start, on connecting) are over
        response = client.post(
            f"/api/v1/persons/{person['id']}/messages",
            json={"text": "Встретимся в пятницу?"},
            headers=officer["headers"],
        )
        assert response.status_code == 201, response.text
        posted = time.monotonic()
        wait(lambda: fake.calls_to("sendMessage"), "the message sent", 10)
        assert time.monotonic() - posted < 5
        [sent] = fake.calls_to("sendMessage")
        assert str(sent.params["chat_id"]) == "7123"
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)
    assert worker.returncode == 0, errors.decode()[-2000:]
