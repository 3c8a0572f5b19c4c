"""The case page: the conversation with new messages polled in, the reply box, notes,
scheduling, referring and moving the case, each through the API's services and rules;
partners and other officers find nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.models import (
    Appointment,
    AuditEvent,
    CheckIn,
    Message,
    Note,
    Organisation,
    Person,
    Referral,
)
from bot.pipeline.inbound import InboundMessage, process_inbound
from tests.factories import make_enrolled
from tests.panel.conftest import SignIn, csrf_of

AFTER = re.compile(r'messages\?after=(\d+)"')


def _case(engine: Engine, officer_id: int, **fields: object):  # type: ignore[no-untyped-def]
    return make_enrolled(
        engine,
        display_name="Aidos Seitkali",
        officer_id=officer_id,
        timezone="Asia/Almaty",
        **fields,
    )


def _say(engine: Engine, settings, address: str, text: str, pid: str) -> None:  # type: ignore[no-untyped-def]
    process_inbound(
        engine,
        InboundMessage(channel="simulator", address=address, provider_message_id=pid, text=text),
        settings=settings,
    )


def _rows(engine: Engine, model, **where):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.exec(query.order_by(col(model.id))).all())


def test_the_officer_reads_the_conversation_and_replies_and_new_messages_arrive(
    client: TestClient, engine: Engine, settings, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    person, identity = _case(engine, officer)
    _say(engine, settings, identity.address, "привет, мне плохо спал", "p1")
    sign_in("officer@example.org")

    page = client.get(f"/panel/cases/{person.id}")
    assert page.status_code == 200
    assert "Aidos Seitkali" in page.text
    assert 'class="bubble person"' in page.text and "мне плохо спал" in page.text
    assert 'class="bubble bot"' in page.text  # the bot's answer to it
    token = csrf_of(page.text)
    after = int(AFTER.search(page.text).group(1))  # type: ignore[union-attr]

    # Nothing new: the poll gives back only the poller, asking from the same message.
    quiet = client.get(f"/panel/cases/{person.id}/messages?after={after}")
    assert quiet.status_code == 200 and "bubble" not in quiet.text
    assert f"after={after}" in quiet.text

    sent = client.post(
        f"/panel/cases/{person.id}/messages",
        data={"text": "Добрый день, как вы?"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert sent.status_code == 200
    assert sent.headers["HX-Trigger"] == "jolserik-sent"
    assert 'id="reply-form"' in sent.text and "Добрый день" not in sent.text  # a fresh form
    [queued] = _rows(engine, Message, person_id=person.id, kind="officer")
    assert queued.sender_user_id == officer and "Добрый день, как вы?" in queued.body

    _say(engine, settings, identity.address, "норм, спасибо", "p2")
    polled = client.get(f"/panel/cases/{person.id}/messages?after={after}")
    assert 'hx-swap-oob="beforeend:#chat"' in polled.text
    assert 'class="bubble officer"' in polled.text and "Добрый день, как вы?" in polled.text
    assert 'class="bubble person"' in polled.text and "норм, спасибо" in polled.text
    newest = max(m.id for m in _rows(engine, Message, person_id=person.id))
    assert f"after={newest}" in polled.text

    # Without JavaScript the form posts and the page comes back.
    plain = client.post(
        f"/panel/cases/{person.id}/messages",
        data={"text": "Ещё раз", "csrf_token": token},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"].endswith("#reply")


def test_an_empty_or_hostile_reply_is_refused_and_nothing_is_queued(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    person, _ = _case(engine, officer)
    sign_in("officer@example.org")
    token = csrf_of(client.get(f"/panel/cases/{person.id}").text)
    for text in ("", "   ", "bad\x00byte", "x" * 1001):
        response = client.post(
            f"/panel/cases/{person.id}/messages", data={"text": text, "csrf_token": token}
        )
        assert response.status_code == 422, text
        assert 'role="alert"' in response.text
    too_long = client.post(
        f"/panel/cases/{person.id}/messages", data={"text": "x" * 5000, "csrf_token": token}
    )
    assert too_long.status_code == 422
    assert _rows(engine, Message, person_id=person.id, kind="officer") == []


def test_notes_check_ins_and_appointments_in_the_officers_time_zone(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en", timezone="Asia/Almaty")
    person, _ = _case(engine, officer)
    sign_in("officer@example.org")
    token = csrf_of(client.get(f"/panel/cases/{person.id}").text)

    noted = client.post(
        f"/panel/cases/{person.id}/notes",
        data={"body": "Звонил матери, всё спокойно.", "csrf_token": token},
        follow_redirects=False,
    )
    assert noted.status_code == 303
    [note] = _rows(engine, Note, person_id=person.id)
    assert note.author_id == officer and note.body == "Звонил матери, всё спокойно."

    tomorrow = (datetime.now(ZoneInfo("Asia/Almaty")) + timedelta(days=1)).date()
    local = f"{tomorrow.isoformat()}T11:30"
    checked = client.post(
        f"/panel/cases/{person.id}/checkins",
        data={"due_at": local, "csrf_token": token},
        follow_redirects=False,
    )
    assert checked.status_code == 303
    [checkin] = _rows(engine, CheckIn, person_id=person.id)
    due = checkin.due_at.astimezone(ZoneInfo("Asia/Almaty"))
    assert (due.date(), due.hour, due.minute) == (tomorrow, 11, 30)

    revealing = client.post(
        f"/panel/cases/{person.id}/appointments",
        data={
            "starts_at": local,
            "kind": "meeting",
            "place": "Уголовно-исполнительная инспекция, каб. 5",
            "csrf_token": token,
        },
    )
    assert revealing.status_code == 422 and "place" in revealing.text
    nonsense = client.post(
        f"/panel/cases/{person.id}/appointments",
        data={
            "starts_at": "tomorrow",
            "kind": "meeting",
            "place": "ул. Абая 10",
            "csrf_token": token,
        },
    )
    assert nonsense.status_code == 422 and "2026-12-24T10:30" in nonsense.text
    assert _rows(engine, Appointment, person_id=person.id) == []

    booked = client.post(
        f"/panel/cases/{person.id}/appointments",
        data={
            "starts_at": local,
            "kind": "meeting",
            "place": "ул. Абая 10, каб. 5",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert booked.status_code == 303
    [appointment] = _rows(engine, Appointment, person_id=person.id)
    assert appointment.starts_at.astimezone(ZoneInfo("Asia/Almaty")).hour == 11
    told = _rows(engine, Message, person_id=person.id, kind="appointment")
    assert told and "ул. Абая 10" in told[-1].body
    page = client.get(f"/panel/cases/{person.id}")
    assert "ул. Абая 10, каб. 5" in page.text and "Звонил матери" in page.text


def test_referring_asks_the_person_with_the_chosen_fields(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    person, _ = _case(engine, officer)
    with Session(engine) as session:
        organisation = Organisation(name="Жол Ашық", services=["employment"])
        session.add(organisation)
        session.commit()
        org_id = organisation.id
    sign_in("officer@example.org")
    page = client.get(f"/panel/cases/{person.id}")
    assert "Жол Ашық" in page.text
    token = csrf_of(page.text)

    wrong = client.post(
        f"/panel/cases/{person.id}/referrals",
        data={
            "organisation_id": str(org_id),
            "kind": "housing",
            "fields": ["first_name"],
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and "does not offer housing" in wrong.text

    nothing = client.post(
        f"/panel/cases/{person.id}/referrals",
        data={"organisation_id": str(org_id), "kind": "employment", "csrf_token": token},
    )
    assert nothing.status_code == 422 and "fields" in nothing.text
    made = client.post(
        f"/panel/cases/{person.id}/referrals",
        data={
            "organisation_id": str(org_id),
            "kind": "employment",
            "note": "ищет работу на стройке",
            "fields": ["first_name", "phone"],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    [referral] = _rows(engine, Referral, person_id=person.id)
    assert referral.status == "proposed"
    assert referral.shared_fields["fields"] == ["first_name", "phone"]
    assert _rows(engine, Message, person_id=person.id, kind="referral_offer")


def test_pausing_closing_and_transfer_follow_the_roles(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    supervisor = staff("lead@example.org", role="supervisor", language="en", full_name="Lead")
    officer = staff("officer@example.org", language="en", supervisor_id=supervisor, full_name="Off")
    other = staff("other@example.org", language="en", full_name="Outsider")
    person, _ = _case(engine, officer)

    sign_in("officer@example.org")
    page = client.get(f"/panel/cases/{person.id}")
    assert "Pause messages" in page.text and "Transfer to" not in page.text  # officers can't
    token = csrf_of(page.text)
    paused = client.post(
        f"/panel/cases/{person.id}/status/pause", data={"csrf_token": token}, follow_redirects=False
    )
    assert paused.status_code == 303
    assert _rows(engine, Person, id=person.id)[0].status == "paused"
    twice = client.post(f"/panel/cases/{person.id}/status/pause", data={"csrf_token": token})
    assert twice.status_code == 409
    refused = client.post(
        f"/panel/cases/{person.id}/transfer", data={"officer_id": str(other), "csrf_token": token}
    )
    assert refused.status_code == 403
    assert (
        client.post(
            f"/panel/cases/{person.id}/status/explode", data={"csrf_token": token}
        ).status_code
        == 404
    )

    client.cookies.clear()
    sign_in("lead@example.org")
    page = client.get(f"/panel/cases/{person.id}")
    assert "Transfer to" in page.text and "Outsider" not in page.text  # not their team
    token = csrf_of(page.text)
    outside = client.post(
        f"/panel/cases/{person.id}/transfer", data={"officer_id": str(other), "csrf_token": token}
    )
    assert outside.status_code == 422
    moved = client.post(
        f"/panel/cases/{person.id}/transfer",
        data={"officer_id": str(supervisor), "csrf_token": token},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert _rows(engine, Person, id=person.id)[0].officer_id == supervisor


def test_partners_and_other_officers_get_the_apis_404_and_the_refusal_is_audited(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    staff("other@example.org", language="en")
    staff("coordinator@ngo.example", role="ngo", language="en")
    person, _ = _case(engine, officer)

    for email in ("other@example.org", "coordinator@ngo.example"):
        client.cookies.clear()
        sign_in(email)
        for url in (
            f"/panel/cases/{person.id}",
            f"/panel/cases/{person.id}/messages?after=0",
            "/panel/cases/999999999",
        ):
            response = client.get(url)
            assert response.status_code == 404, (email, url)
            assert "Aidos" not in response.text
        token = csrf_of(client.get("/panel/login").text)
        response = client.post(
            f"/panel/cases/{person.id}/messages", data={"text": "hi", "csrf_token": token}
        )
        assert response.status_code == 404
    assert _rows(engine, Message, person_id=person.id, kind="officer") == []
    refusals = _rows(engine, AuditEvent, action="person.read_refused", person_id=person.id)
    assert len(refusals) == 6  # two accounts: page, poll, post


def test_without_the_csrf_token_nothing_is_written(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    person, _ = _case(engine, officer)
    sign_in("officer@example.org")
    for path, data in (
        ("messages", {"text": "hello"}),
        ("notes", {"body": "note"}),
        ("status/close", {}),
    ):
        response = client.post(f"/panel/cases/{person.id}/{path}", data=data)
        assert response.status_code == 403, path
    assert _rows(engine, Note, person_id=person.id) == []
    assert _rows(engine, Person, id=person.id)[0].status == "active"


def test_the_caseload_pages_by_keyset(
    client: TestClient, engine: Engine, staff, sign_in: SignIn
) -> None:
    officer = staff("officer@example.org", language="en")
    ids = [
        make_enrolled(engine, display_name=f"Person {n:02d}", officer_id=officer)[0].id
        for n in range(55)
    ]
    sign_in("officer@example.org")
    first = client.get("/panel/cases")
    assert first.status_code == 200
    assert "Person 00" in first.text and "Person 49" in first.text and "Person 50" not in first.text
    more = re.search(r'href="(/panel/cases\?status=&amp;after=\d+)"', first.text)
    assert more is not None
    second = client.get(more.group(1).replace("&amp;", "&"))
    assert "Person 50" in second.text and "Person 54" in second.text
    assert "Person 49" not in second.text
    assert len(ids) == 55
