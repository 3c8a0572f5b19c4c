"""POST /webhooks/twilio/sms and /status: signatures, dedupe, the opt-out law, unknown numbers,
and delivery callbacks. The app runs without its worker: replies are queued, not sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.core.clock import utcnow
from bot.core.settings import Settings
from bot.delivery.fallback import KEYWORD_REPLY_KIND
from bot.models import ChannelIdentity, Escalation, Message
from bot.models.enums import Direction, EscalationStatus, MessageStatus
from flows.i18n import translate
from tests.factories import make_enrolled
from tests.webhooks.twilio_helpers import (
    PUBLIC_BASE_URL,
    SMS_PATH,
    STATUS_PATH,
    inbound_form,
    new_sid,
    post_signed,
    say,
    sign,
    status_form,
)

PHONE = "+77011234567"
STRANGER = "+77017654321"


def _messages(engine: Engine, direction: Direction | None = None) -> list[Message]:
    with Session(engine) as session:
        query = select(Message).order_by(col(Message.id))
        if direction is not None:
            query = query.where(Message.direction == direction)
        return list(session.exec(query).all())


def _identity(engine: Engine, identity_id: int) -> ChannelIdentity:
    with Session(engine) as session:
        identity = session.get(ChannelIdentity, identity_id)
        assert identity is not None
        return identity


def _escalations(engine: Engine, reason: str) -> list[Escalation]:
    with Session(engine) as session:
        return list(session.exec(select(Escalation).where(Escalation.reason == reason)).all())


def _sms_person(engine: Engine, language: str = "ru"):  # type: ignore[no-untyped-def]
    return make_enrolled(engine, channel="sms", address=PHONE, language=language)


# --- signatures --------------------------------------------------------------------------


def test_a_signed_message_is_stored_and_answered_with_empty_twiml(
    sms_client: TestClient, engine: Engine
) -> None:
    person, _ = _sms_person(engine)
    response = say(sms_client, PHONE, "привет")

    assert response.headers["content-type"].startswith("text/xml")
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    inbound = _messages(engine, Direction.inbound)
    assert [(m.channel, m.address, m.body, m.person_id) for m in inbound] == [
        ("sms", PHONE, "привет", person.id)
    ]
    [reply] = _messages(engine, Direction.outbound)
    assert reply.status == MessageStatus.queued and reply.address == PHONE


@pytest.mark.parametrize(
    "signature", ["", "forged", "c2lnbmF0dXJl"], ids=["missing", "garbage", "wrong"]
)
def test_an_unsigned_or_forged_request_is_refused_and_nothing_is_stored(
    sms_client: TestClient, engine: Engine, signature: str
) -> None:
    _sms_person(engine)
    response = post_signed(sms_client, SMS_PATH, inbound_form(PHONE, "hi"), signature=signature)
    assert response.status_code == 403
    assert _messages(engine) == []


def test_a_signature_over_the_internal_url_is_refused(
    sms_client: TestClient, engine: Engine
) -> None:
    # Signed for http://testserver/..., what this process sees: Twilio signs the public URL.
    response = post_signed(
        sms_client, SMS_PATH, inbound_form(PHONE, "hi"), signed_url=f"http://testserver{SMS_PATH}"
    )
    assert response.status_code == 403
    assert _messages(engine) == []


def test_a_body_changed_after_signing_is_refused(sms_client: TestClient, engine: Engine) -> None:
    form = inbound_form(PHONE, "hi")
    signature = sign(PUBLIC_BASE_URL + SMS_PATH, form)
    tampered = [(k, "STOP" if k == "Body" else v) for k, v in form]
    assert post_signed(sms_client, SMS_PATH, tampered, signature=signature).status_code == 403
    assert _messages(engine) == []


def test_non_ascii_bodies_and_fields_twilio_adds_later_are_accepted(
    sms_client: TestClient, engine: Engine
) -> None:
    _sms_person(engine, language="kk")
    body = "Сәлем! Қалайсыз? 🙂 ә ғ қ ң ө ұ ү һ і"
    form = inbound_form(
        PHONE, body, AddOns='{"status":"successful"}', NewFieldFrom2030="x", ToCity="Алматы"
    )
    form.append(("NewFieldFrom2030", "second value"))  # a repeated name is signed too
    assert post_signed(sms_client, SMS_PATH, form).status_code == 200
    [stored] = _messages(engine, Direction.inbound)
    assert stored.body == body


def test_a_signed_request_without_a_message_sid_is_a_bad_request(
    sms_client: TestClient, engine: Engine
) -> None:
    form = [(k, v) for k, v in inbound_form(PHONE, "hi") if "Sid" not in k or k == "AccountSid"]
    assert post_signed(sms_client, SMS_PATH, form).status_code == 400
    assert _messages(engine) == []


def test_a_message_sid_longer_than_any_twilio_id_is_a_bad_request(
    sms_client: TestClient, engine: Engine
) -> None:
    # Only a holder of the auth token can sign it; still a 400, never a database error.
    response = post_signed(sms_client, SMS_PATH, inbound_form(PHONE, "hi", sid="SM" + "f" * 200))
    assert response.status_code == 400
    assert "MessageSid" in response.json()["detail"]
    assert _messages(engine) == []


def test_an_oversized_form_is_refused_before_it_is_read(sms_client: TestClient) -> None:
    form = inbound_form(PHONE, "x" * 70_000)
    assert post_signed(sms_client, SMS_PATH, form).status_code == 413


def test_the_same_message_sid_three_times_is_one_message_and_one_reply(
    sms_client: TestClient, engine: Engine
) -> None:
    _sms_person(engine)
    sid = new_sid()
    for _ in range(3):
        say(sms_client, PHONE, "привет", sid=sid)
    assert len(_messages(engine, Direction.inbound)) == 1
    assert len(_messages(engine, Direction.outbound)) == 1


def test_a_picture_without_words_is_stored_as_media_and_answered_with_a_text_note(
    sms_client: TestClient, engine: Engine
) -> None:
    _sms_person(engine)
    say(sms_client, PHONE, "", num_media=1)
    [stored] = _messages(engine, Direction.inbound)
    assert stored.kind == "media"
    assert len(_messages(engine, Direction.outbound)) == 1


# --- unknown numbers ---------------------------------------------------------------------


def test_an_unknown_number_gets_one_neutral_reply_a_day(
    sms_client: TestClient, engine: Engine
) -> None:
    say(sms_client, STRANGER, "hello")
    say(sms_client, STRANGER, "hello?")
    say(sms_client, STRANGER, "anyone")
    replies = _messages(engine, Direction.outbound)
    assert len(replies) == 1 and replies[0].person_id is None
    assert len(_messages(engine, Direction.inbound)) == 3  # all kept

    with Session(engine) as session:  # a day later
        reply = session.get(Message, replies[0].id)
        assert reply is not None
        reply.created_at = utcnow() - timedelta(hours=25)
        session.add(reply)
        session.commit()
    say(sms_client, STRANGER, "hello again")
    assert len(_messages(engine, Direction.outbound)) == 2


def test_an_unknown_number_is_answered_in_its_countrys_language(
    sms_client: TestClient, engine: Engine
) -> None:
    say(sms_client, "+77015550000", "hello")  # Kazakhstan: Russian first
    say(sms_client, "+256772123456", "hello")  # Uganda: English
    replies = {m.address: m for m in _messages(engine, Direction.outbound)}
    assert replies["+77015550000"].language == "ru"
    assert replies["+256772123456"].language == "en"


def test_crisis_words_from_an_unknown_number_are_answered_past_the_budget(
    sms_client: TestClient, engine: Engine
) -> None:
    say(sms_client, STRANGER, "hello")
    say(sms_client, STRANGER, "I want to die")
    first, *safety = _messages(engine, Direction.outbound)
    assert "112" not in first.body
    assert safety and all("112" in reply.body for reply in safety)  # with the hotlines


def test_ten_crisis_texts_from_an_unknown_number_get_one_safety_message_an_hour(
    sms_client: TestClient, engine: Engine
) -> None:
    # A public number is a target for SMS pumping: crisis words must not become a way to
    # make the service send many messages. Every text is kept.
    for n in range(10):
        say(sms_client, STRANGER, f"я хочу умереть {n}")
    replies = [m for m in _messages(engine, Direction.outbound) if m.address == STRANGER]
    inbound = [m for m in _messages(engine, Direction.inbound) if m.address == STRANGER]
    assert len(inbound) == 10 and {m.kind for m in inbound} == {"crisis"}
    assert replies and all("112" in m.body for m in replies)
    assert len(replies) <= 2  # one safety message (with its second-language line at most)
    first_batch = len(replies)
    with Session(engine) as session:  # an hour later, the next one is answered again
        for message in session.exec(select(Message).where(Message.address == STRANGER)):
            message.created_at = message.created_at - timedelta(hours=1, minutes=1)
            session.add(message)
        session.commit()
    say(sms_client, STRANGER, "я хочу умереть")
    replies = [m for m in _messages(engine, Direction.outbound) if m.address == STRANGER]
    assert len(replies) == 2 * first_batch


def test_an_unknown_number_that_said_stop_gets_nothing_any_more(
    sms_client: TestClient, engine: Engine
) -> None:
    say(sms_client, STRANGER, "СТОП")
    say(sms_client, STRANGER, "hello")
    assert _messages(engine, Direction.outbound) == []
    assert [m.kind for m in _messages(engine, Direction.inbound)] == ["opt_out", "text"]


# --- the opt-out law ---------------------------------------------------------------------


def test_stop_in_russian_opts_out_confirms_once_and_tells_the_officer(
    sms_client: TestClient, engine: Engine
) -> None:
    person, identity = _sms_person(engine)
    say(sms_client, PHONE, "Стоп!")
    say(sms_client, PHONE, "СТОП")

    assert _identity(engine, identity.id).opted_out is True
    [confirmation] = _messages(engine, Direction.outbound)
    assert confirmation.kind == KEYWORD_REPLY_KIND
    assert "СТАРТ" in confirmation.body
    [escalation] = _escalations(engine, "opted_out")
    assert (escalation.person_id, escalation.severity) == (person.id, "low")


def test_twilio_s_own_stop_is_not_confirmed_twice(sms_client: TestClient, engine: Engine) -> None:
    _, identity = _sms_person(engine)
    say(sms_client, PHONE, "STOP")
    assert _identity(engine, identity.id).opted_out is True
    assert _messages(engine, Direction.outbound) == []  # Twilio has answered it


def test_advanced_opt_out_keywords_are_taken_from_twilio(
    sms_client: TestClient, engine: Engine
) -> None:
    _, identity = _sms_person(engine)
    say(sms_client, PHONE, "жеткілікті", OptOutType="STOP")
    assert _identity(engine, identity.id).opted_out is True
    assert _messages(engine, Direction.outbound) == []


def test_without_twilio_s_handling_the_bot_confirms_english_stop(
    sms_settings: Settings, engine: Engine
) -> None:
    settings = sms_settings.model_copy(update={"twilio_handles_opt_out": False})
    _sms_person(engine, language="en")
    with TestClient(create_app(settings)) as client:
        say(client, PHONE, "stop")
    [confirmation] = _messages(engine, Direction.outbound)
    assert confirmation.body.startswith("You will get no more messages")


def test_an_opted_out_person_is_heard_but_not_answered_until_start(
    sms_client: TestClient, engine: Engine
) -> None:
    _, identity = _sms_person(engine)
    say(sms_client, PHONE, "СТОП")
    say(sms_client, PHONE, "3")
    say(sms_client, PHONE, "да")  # opt back in (YES in Russian)

    outbound = _messages(engine, Direction.outbound)
    assert [m.body[:14] for m in outbound] == ["Вы больше не б", "С возвращением"]
    assert _identity(engine, identity.id).opted_out is False
    assert [m.kind for m in _messages(engine, Direction.inbound)] == ["opt_out", "text", "opt_in"]
    [escalation] = _escalations(engine, "opted_out")
    assert escalation.status == EscalationStatus.resolved


def test_crisis_words_after_stop_still_reach_the_officer(
    sms_client: TestClient, engine: Engine
) -> None:
    _sms_person(engine)
    say(sms_client, PHONE, "СТОП")
    for text in ("хочу умереть", "меня избивают"):
        say(sms_client, PHONE, text)
    crises = _escalations(engine, "crisis")
    assert [(e.severity, e.status) for e in crises] == [("critical", "open")] * 2
    assert all("could not be answered" in e.detail for e in crises)
    inbound = {m.id: m.body for m in _messages(engine, Direction.inbound)}
    assert [inbound[e.message_id] for e in crises] == ["хочу умереть", "меня избивают"]
    # Nothing more by SMS: the number said STOP (only its one confirmation went out).
    sms_out = [m for m in _messages(engine, Direction.outbound) if m.channel == "sms"]
    assert len(sms_out) == 1


def test_crisis_after_stop_gets_the_safety_message_on_another_channel(
    sms_client: TestClient, engine: Engine
) -> None:
    person, _ = _sms_person(engine)
    with Session(engine) as session:
        session.add(ChannelIdentity(person_id=person.id, channel="telegram", address="777001"))
        session.commit()
    say(sms_client, PHONE, "STOP")
    say(sms_client, PHONE, "hochu umeret")
    [crisis] = _escalations(engine, "crisis")
    assert crisis.detail.endswith("safety message sent on telegram")
    telegram = [m for m in _messages(engine, Direction.outbound) if m.channel == "telegram"]
    assert len(telegram) == 1 and "112" in telegram[0].body


def test_help_while_opted_out_gets_one_short_answer(sms_client: TestClient, engine: Engine) -> None:
    _sms_person(engine)
    say(sms_client, PHONE, "стоп")
    say(sms_client, PHONE, "помощь")
    say(sms_client, PHONE, "HELP")  # Twilio answers its own HELP
    bodies = [m.body for m in _messages(engine, Direction.outbound)]
    assert len(bodies) == 2 and bodies[1].startswith("Сейчас мы не присылаем")


def test_yes_from_someone_not_opted_out_reaches_the_flow(
    sms_client: TestClient, engine: Engine
) -> None:
    _, identity = _sms_person(engine)
    say(sms_client, PHONE, "YES")
    assert _identity(engine, identity.id).opted_out is False
    [reply] = _messages(engine, Direction.outbound)
    assert reply.kind != KEYWORD_REPLY_KIND  # the flow's answer, not an opt-in confirmation


# --- delivery status callbacks -----------------------------------------------------------


def _sent_message(engine: Engine, person_id: int, identity_id: int, body: str = "Как вы?") -> str:
    sid = new_sid()
    with Session(engine) as session:
        session.add(
            Message(
                direction=Direction.outbound,
                channel="sms",
                address=PHONE,
                person_id=person_id,
                identity_id=identity_id,
                kind="checkin",
                body=body,
                language="ru",
                status=MessageStatus.sent,
                provider_message_id=sid,
                sent_at=utcnow(),
            )
        )
        session.commit()
    return sid


def _by_sid(engine: Engine, sid: str) -> Message:
    with Session(engine) as session:
        message = session.exec(select(Message).where(Message.provider_message_id == sid)).one()
        return message


def _status(client: TestClient, sid: str, status: str, code: str | None = None) -> None:
    response = post_signed(client, STATUS_PATH, status_form(sid, status, code))
    assert response.status_code == 204, response.text


def test_delivery_statuses_only_move_forward(sms_client: TestClient, engine: Engine) -> None:
    person, identity = _sms_person(engine)
    sid = _sent_message(engine, person.id, identity.id)  # type: ignore[arg-type]
    _status(sms_client, sid, "queued")
    _status(sms_client, sid, "sent")
    assert _by_sid(engine, sid).status == MessageStatus.sent
    _status(sms_client, sid, "delivered")
    _status(sms_client, sid, "sent")  # late
    message = _by_sid(engine, sid)
    assert message.status == MessageStatus.delivered and message.delivered_at is not None


def test_undelivered_goes_to_the_person_s_telegram_once(
    sms_client: TestClient, engine: Engine
) -> None:
    person, identity = _sms_person(engine)
    with Session(engine) as session:
        session.add(ChannelIdentity(person_id=person.id, channel="telegram", address="4242"))
        session.commit()
    sid = _sent_message(engine, person.id, identity.id, body="Как вы сегодня?")  # type: ignore[arg-type]
    _status(sms_client, sid, "undelivered", "30003")
    _status(sms_client, sid, "undelivered", "30003")  # Twilio may call twice
    _status(sms_client, sid, "failed", "30003")

    message = _by_sid(engine, sid)
    assert message.status == MessageStatus.undelivered and "30003" in (message.error or "")
    rerouted = [m for m in _messages(engine, Direction.outbound) if m.channel == "telegram"]
    assert [(m.address, m.body, m.status) for m in rerouted] == [
        ("4242", "Как вы сегодня?", MessageStatus.queued)
    ]
    assert _identity(engine, identity.id).blocked is False  # a phone off is not a dead number
    assert _escalations(engine, "unreachable") == []


def test_failed_with_no_other_channel_tells_the_officer(
    sms_client: TestClient, engine: Engine
) -> None:
    person, identity = _sms_person(engine)
    sid = _sent_message(engine, person.id, identity.id)  # type: ignore[arg-type]
    _status(sms_client, sid, "failed", "30005")  # unknown number
    [escalation] = _escalations(engine, "unreachable")
    assert (escalation.person_id, escalation.severity) == (person.id, "low")
    assert _identity(engine, identity.id).blocked is True


def test_an_opt_out_reported_by_a_callback_marks_the_identity_opted_out(
    sms_client: TestClient, engine: Engine
) -> None:
    person, identity = _sms_person(engine)
    sid = _sent_message(engine, person.id, identity.id)  # type: ignore[arg-type]
    _status(sms_client, sid, "undelivered", "21610")
    assert _identity(engine, identity.id).opted_out is True
    assert len(_escalations(engine, "opted_out")) == 1


def test_a_callback_for_an_unknown_sid_changes_nothing(
    sms_client: TestClient, engine: Engine
) -> None:
    _status(sms_client, new_sid(), "failed", "30005")
    assert _messages(engine) == []
    assert _escalations(engine, "unreachable") == []


def test_a_forged_callback_is_refused(sms_client: TestClient, engine: Engine) -> None:
    person, identity = _sms_person(engine)
    sid = _sent_message(engine, person.id, identity.id)  # type: ignore[arg-type]
    response = post_signed(
        sms_client, STATUS_PATH, status_form(sid, "failed", "30005"), signature="forged"
    )
    assert response.status_code == 403
    assert _by_sid(engine, sid).status == MessageStatus.sent


@pytest.mark.parametrize(("word", "language"), [("INFO", "en"), ("инфо", "ru"), ("Көмек", "kk")])
def test_help_and_info_get_the_help_text(
    sms_client: TestClient, engine: Engine, word: str, language: str
) -> None:
    make_enrolled(engine, channel="sms", address=PHONE, language=language)
    say(sms_client, PHONE, word)
    first = _messages(engine, Direction.outbound)[0]
    assert first.body == translate("help.text", language)


def test_an_unavailable_database_is_503_so_twilio_retries(sms_settings: Settings) -> None:
    down = sms_settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:9/none"}
    )
    with TestClient(create_app(down)) as client:
        response = post_signed(client, SMS_PATH, inbound_form("+77011234567", "привет"))
    assert response.status_code == 503
    assert response.headers["retry-after"]
