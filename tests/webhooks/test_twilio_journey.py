"""The SMS journey end to end: the real app with its worker, signed Twilio webhooks in, and
every text out through the twilio package to the fake Twilio API over loopback HTTP.

Invitation by SMS, YES, language and consent, a scheduled check-in as a numbered menu
answered by digit and by word (Russian and Kazakh); STOP silences everything until START;
a refused or undelivered SMS falls back to Telegram or tells the officer.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.db import session_scope
from bot.models import ChannelIdentity, CheckIn, Escalation, Message, Person, User
from bot.models.enums import Direction, MessageStatus, PersonStatus
from bot.services.users import create_user
from tests.factories import make_enrolled
from tests.fakes.twilio_api import FakeTwilioApi, error
from tests.webhooks.twilio_helpers import STATUS_PATH, post_signed, say, status_form

PASSWORD = "correct horse battery staple"
PHONE = "+77011234567"


def _officer(client: TestClient, engine: Engine) -> dict[str, str]:
    """A logged-in officer's headers (the officer is the only user)."""
    with session_scope(engine) as session:
        create_user(session, email="officer@example.org", password=PASSWORD, role="officer")
    token = client.post(
        "/api/v1/auth/token", data={"username": "officer@example.org", "password": PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _next_sms(api: FakeTwilioApi, seen: int, count: int = 1) -> list[str]:
    bodies = api.wait_for(seen + count, to=PHONE)
    assert len(bodies) >= seen + count, f"expected {count} more SMS after {seen}: {bodies}"
    return bodies[seen:]


def _sms_until(api: FakeTwilioApi, seen: int, wanted: str, timeout: float = 10.0) -> int:
    """Wait for an SMS after the first `seen` that contains `wanted`; how many there are then.

    The flows may say more in between (an introduction before the consent question); this
    test is about the channel, so it waits for the text it needs rather than counting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = api.sent_to(PHONE)
        for index, body in enumerate(bodies[seen:], start=seen):
            if wanted in body:
                return index + 1
        time.sleep(0.02)
    pytest.fail(f"no SMS with {wanted!r} after #{seen}: {api.sent_to(PHONE)[seen:]}")


def _stays_quiet(api: FakeTwilioApi, seen: int, seconds: float = 1.0) -> None:
    time.sleep(seconds)  # several worker ticks and dispatcher passes
    assert api.sent_to(PHONE)[seen:] == []


WORDS: dict[str, dict[str, Any]] = {
    "ru": {"yes_to_invite": "ДА", "language": "1", "consent": "да", "need": "работа"},
    "kk": {"yes_to_invite": "Иә", "language": "2", "consent": "иә", "need": "жұмыс"},
}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_invited_by_sms_enrolled_by_yes_and_checked_in_by_digit_and_word(
    sms_worker_client: TestClient, engine: Engine, twilio_api: FakeTwilioApi, language: str
) -> None:
    client, words = sms_worker_client, WORDS[language]
    auth = _officer(client, engine)
    person = client.post(
        "/api/v1/persons",
        json={"display_name": "Ержан", "phone": "8 701 123 45 67", "language": language},
        headers=auth,
    ).json()
    assert person["phone"] == PHONE

    invite = client.post(
        f"/api/v1/persons/{person['id']}/invites", json={"channel": "sms"}, headers=auth
    )
    assert invite.status_code == 201, invite.text
    [invitation] = _next_sms(twilio_api, 0)
    assert invite.json()["code"] in invitation
    [call] = twilio_api.sent()
    assert call.form["StatusCallback"].endswith("/webhooks/twilio/status")

    say(client, PHONE, words["yes_to_invite"])
    [welcome] = _next_sms(twilio_api, 1)
    assert "\n1 Русский\n2 Қазақша\n3 English\n" in welcome

    say(client, PHONE, words["language"])
    yes_no = "\n1 Да\n2 Нет\nОтветьте 1 или 2" if language == "ru" else "\n1 Иә\n2 Жоқ\n1 не 2"
    seen = _sms_until(twilio_api, 2, yes_no)  # the consent question, as a numbered menu

    say(client, PHONE, words["consent"])
    _next_sms(twilio_api, seen)  # enrolled
    seen = len(twilio_api.sent_to(PHONE))
    with Session(engine) as session:
        stored = session.get(Person, person["id"])
        assert stored is not None
        assert (stored.status, stored.consent_given, stored.language) == (
            PersonStatus.active,
            True,
            language,
        )

    scheduled = client.post(f"/api/v1/persons/{person['id']}/checkins", headers=auth)
    assert scheduled.status_code == 201, scheduled.text
    scale = "Ответьте 1-5" if language == "ru" else "1-5 санын жазыңыз"
    seen = _sms_until(twilio_api, seen, scale)  # the mood question

    say(client, PHONE, "4")  # by digit
    work = "\n1 Работа\n" if language == "ru" else "\n1 Жұмыс\n"
    seen = _sms_until(twilio_api, seen, work)  # what do you need, as a numbered menu

    say(client, PHONE, words["need"])  # by word
    _next_sms(twilio_api, seen)
    with Session(engine) as session:
        checkin = session.exec(select(CheckIn).where(CheckIn.person_id == person["id"])).one()
        assert (checkin.mood, checkin.need) == (4, "work")
    # Every SMS went through Twilio and carries its sid, which status callbacks match on
    # (the dispatcher records the last one a moment after Twilio accepted it).
    deadline = time.monotonic() + 5
    while True:
        with Session(engine) as session:
            outbound = session.exec(select(Message).where(Message.direction == Direction.outbound))
            sids = {m.provider_message_id for m in outbound if m.status == MessageStatus.sent}
        if sids == {call.sid for call in twilio_api.sent()} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert sids == {call.sid for call in twilio_api.sent()}


def test_stop_silences_everything_until_start(
    sms_worker_client: TestClient, engine: Engine, twilio_api: FakeTwilioApi
) -> None:
    client = sms_worker_client
    auth = _officer(client, engine)
    with Session(engine) as session:
        officer_id = session.exec(select(col(User.id))).one()
    person, _ = make_enrolled(engine, channel="sms", address=PHONE, officer_id=officer_id)

    say(client, PHONE, "STOP")  # Twilio confirms its own STOP: we send nothing
    assert client.post(f"/api/v1/persons/{person.id}/checkins", headers=auth).status_code == 201
    say(client, PHONE, "что-то пишу")
    _stays_quiet(twilio_api, 0)

    timeline = client.get(f"/api/v1/persons/{person.id}/timeline", headers=auth).json()
    reasons = {item["reason"] for item in timeline["items"] if item["type"] == "escalation"}
    assert "opted_out" in reasons  # the officer sees it on the case

    say(client, PHONE, "START")
    assert client.post(f"/api/v1/persons/{person.id}/checkins", headers=auth).status_code == 201
    [question] = _next_sms(twilio_api, 0)
    assert "1-5" in question


def test_the_same_message_sid_three_times_gets_one_reply(
    sms_worker_client: TestClient, engine: Engine, twilio_api: FakeTwilioApi
) -> None:
    make_enrolled(engine, channel="sms", address=PHONE)
    for _ in range(3):
        say(sms_worker_client, PHONE, "привет", sid="SM" + "a" * 32)
    _next_sms(twilio_api, 0)
    _stays_quiet(twilio_api, 1, seconds=0.5)


def test_a_send_refused_with_21610_marks_the_person_opted_out(
    sms_worker_client: TestClient, engine: Engine, twilio_api: FakeTwilioApi
) -> None:
    _, identity = make_enrolled(engine, channel="sms", address=PHONE)
    twilio_api.script(error(21610))
    say(sms_worker_client, PHONE, "привет")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _opted_out(engine, identity.id):  # type: ignore[arg-type]
        time.sleep(0.05)
    assert _opted_out(engine, identity.id)  # type: ignore[arg-type]
    with Session(engine) as session:
        reasons = {e.reason for e in session.exec(select(Escalation))}
    assert {"opted_out", "unreachable"} <= reasons
    assert twilio_api.sent() == []


def _stored(engine: Engine, sid: str) -> bool:
    with Session(engine) as session:
        return (
            session.exec(select(Message).where(Message.provider_message_id == sid)).first()
            is not None
        )


def _opted_out(engine: Engine, identity_id: int) -> bool:
    with Session(engine) as session:
        identity = session.get(ChannelIdentity, identity_id)
        return bool(identity and identity.opted_out)


def test_an_undelivered_sms_goes_to_the_person_s_telegram(
    sms_worker_client: TestClient, engine: Engine, twilio_api: FakeTwilioApi
) -> None:
    person, _ = make_enrolled(engine, channel="sms", address=PHONE)
    with session_scope(engine) as session:
        session.add(ChannelIdentity(person_id=person.id, channel="telegram", address="777"))
    say(sms_worker_client, PHONE, "привет")
    _next_sms(twilio_api, 0)
    [call] = twilio_api.sent()
    assert call.sid is not None
    # The dispatcher stores the provider's id just after the send returns: wait for it, as
    # Twilio's own callback would come later than this test can.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _stored(engine, call.sid):
        time.sleep(0.02)

    response = post_signed(
        sms_worker_client, STATUS_PATH, status_form(call.sid, "undelivered", "30003")
    )
    assert response.status_code == 204
    with Session(engine) as session:
        sms = session.exec(select(Message).where(Message.provider_message_id == call.sid)).one()
        telegram = session.exec(select(Message).where(Message.channel == "telegram")).all()
    assert sms.status == MessageStatus.undelivered
    # The same words and choices; Telegram is not configured in this app, so the copy stays
    # in the outbox (queued, or claimed and put back).
    assert [(m.address, m.body, m.choices) for m in telegram] == [("777", sms.body, sms.choices)]
    assert telegram[0].status in (MessageStatus.queued, MessageStatus.sending)


def test_inviting_by_sms_needs_a_phone_and_the_sms_channel(
    sms_client: TestClient, engine: Engine, client: TestClient
) -> None:
    auth = _officer(sms_client, engine)
    no_phone = sms_client.post("/api/v1/persons", json={"display_name": "A"}, headers=auth).json()
    answer = sms_client.post(
        f"/api/v1/persons/{no_phone['id']}/invites", json={"channel": "sms"}, headers=auth
    )
    assert answer.status_code == 409 and "phone number" in answer.json()["detail"]

    # The same API where SMS is not configured (the suite's default settings).
    token = client.post(
        "/api/v1/auth/token", data={"username": "officer@example.org", "password": PASSWORD}
    ).json()["access_token"]
    with_phone = client.post(
        "/api/v1/persons",
        json={"display_name": "B", "phone": "+77011234567"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    disabled = client.post(
        f"/api/v1/persons/{with_phone['id']}/invites",
        json={"channel": "sms"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert disabled.status_code == 409 and "SMS is not set up" in disabled.json()["detail"]
    with Session(engine) as session:
        assert session.exec(select(Message)).all() == []
