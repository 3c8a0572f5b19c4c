"""The support journeys through the real pipeline and database: what each effect leaves
behind (referrals, escalations, pauses, appointment answers), not just what is said."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.models import (
    Appointment,
    CheckIn,
    ConsentRecord,
    ConversationState,
    Escalation,
    Message,
    Opportunity,
    Organisation,
    Person,
    Referral,
)
from bot.models.enums import AppointmentStatus, Direction, PersonStatus
from bot.pipeline.inbound import InboundMessage, process_inbound
from bot.scheduling.appointments import send_appointment_reminders
from bot.scheduling.checkins import send_checkin_nudges, send_due_checkins
from bot.services.appointments import create_appointment
from tests.factories import make_enrolled

NOON = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 12:00 in Almaty
_ids = itertools.count()


@pytest.fixture
def say(engine, settings):
    def send(address: str, text: str | None = None, choice: str | None = None) -> list[Message]:
        outcome = process_inbound(
            engine,
            InboundMessage(
                "simulator",
                address,
                f"j-{next(_ids)}",
                text=text,
                choice=choice,
                kind="choice" if choice else "text",
            ),
            settings=settings,
            now=NOON,
        )
        with Session(engine) as session:
            return list(
                session.exec(
                    select(Message)
                    .where(
                        Message.direction == Direction.outbound,
                        col(Message.id) > outcome.message_id,
                    )
                    .order_by(col(Message.id))
                ).all()
            )

    return send


def _partners(engine) -> dict[str, int]:
    with Session(engine, expire_on_commit=False) as session:
        orgs = {
            kind: Organisation(
                name=name, services=[kind], regions=["Karaganda"], contact_phone=phone
            )
            for kind, name, phone in (
                ("employment", "Жол Ашық", "+77212000101"),
                ("shelter", "Night shelter", "+77212000104"),
                ("housing", "Шаңырақ", "+77212000102"),
            )
        }
        session.add_all(orgs.values())
        session.flush()
        session.add(
            Opportunity(
                organisation_id=orgs["employment"].id,
                kind="employment",
                title={"ru": "Помощник на складе", "en": "Warehouse assistant"},
                field="logistics",
                region="Karaganda",
            )
        )
        session.commit()
        return {kind: org.id for kind, org in orgs.items()}


def _escalations(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(e.reason, e.severity) for e in session.exec(select(Escalation)).all()]


def test_crisis_words_preempt_a_checkin_with_hotlines_and_a_critical_escalation(
    engine, settings, say
):
    person, identity = make_enrolled(engine, language="ru")
    with Session(engine) as session:
        session.add(ConversationState(person_id=person.id, flow="checkin", step="mood"))
        session.commit()

    replies = say(identity.address, "я больше не хочу жить")

    assert "112" in replies[0].body and "150" in replies[0].body
    assert _escalations(engine) == [("crisis", "critical")]
    with Session(engine) as session:
        [escalation] = session.exec(select(Escalation)).all()
    assert "жить" not in escalation.detail  # the category, never the person's words


def test_interest_in_a_job_with_consent_creates_a_referral_sharing_name_and_phone(
    engine, settings, say
):
    partners = _partners(engine)
    _person, identity = make_enrolled(engine, language="en", region="Karaganda")

    transcript = [say(identity.address, "menu")]
    for _ in range(8):
        last = transcript[-1][-1]
        if not last.choices:
            break
        labels = {c["label"].lower(): c["id"] for c in last.choices}
        pick = next(
            (labels[k] for k in ("work", "logistics", "i'm interested", "yes") if k in labels),
            None,
        )
        if pick is None:
            break
        transcript.append(say(identity.address, choice=pick))

    with Session(engine) as session:
        [referral] = session.exec(select(Referral)).all()
        consents = session.exec(
            select(ConsentRecord).where(col(ConsentRecord.scope).startswith("referral:"))
        ).all()
    assert referral.organisation_id == partners["employment"] and referral.kind == "employment"
    assert referral.shared_fields == {
        "fields": ["first_name", "language", "need", "phone"],
        "contact_channel": "simulator",
    }
    # The person said yes in the chat: the partner has it at once.
    assert referral.status == "sent" and referral.opportunity_id is not None
    assert [c.scope for c in consents] == [f"referral:{referral.id}"]


def test_no_bed_tonight_gives_shelter_contacts_and_a_high_escalation(engine, settings, say):
    _partners(engine)
    _person, identity = make_enrolled(engine, language="en", region="Karaganda")

    say(identity.address, "menu")
    replies = say(identity.address, "housing")
    tonight = next(c["id"] for c in replies[-1].choices if "tonight" in c["label"].lower())
    replies = say(identity.address, choice=tonight)

    assert any("+77212000104" in r.body for r in replies)
    assert ("housing_tonight", "high") in _escalations(engine)


def test_stop_pauses_checkins_and_start_resumes_them(engine, settings, say):
    person, identity = make_enrolled(engine, language="en")

    say(identity.address, "stop")
    with Session(engine) as session:
        assert session.get(Person, person.id).status == PersonStatus.paused
    say(identity.address, "start")
    with Session(engine) as session:
        assert session.get(Person, person.id).status == PersonStatus.active


def test_three_misunderstandings_in_a_row_offer_the_officer(engine, settings, say):
    person, identity = make_enrolled(engine, language="en")

    for _ in range(2):
        say(identity.address, "qwrtzp")
    replies = say(identity.address, "qwrtzp")

    with Session(engine) as session:
        assert session.get(ConversationState, person.id).misunderstood_in_row == 3
    assert "officer" in replies[-1].body
    say(identity.address, choice=replies[-1].choices[0]["id"])  # "Yes"

    assert ("asked_officer", "medium") in _escalations(engine)
    with Session(engine) as session:
        assert session.get(ConversationState, person.id).misunderstood_in_row == 0


def test_an_appointment_reminder_and_cant_make_it_with_a_reason(engine, settings, say):
    person, identity = make_enrolled(engine, language="en", timezone="Asia/Almaty")
    starts = NOON + timedelta(days=1, hours=3)
    with Session(engine, expire_on_commit=False) as session:
        appointment = create_appointment(
            session,
            session.get(Person, person.id),
            starts_at=starts,
            kind="documents",
            place="Public service centre, window 4",
            settings=settings,
            created_by_id=None,
            now=NOON - timedelta(days=2),
        )
        session.commit()
    assert appointment.remind_at == starts - timedelta(hours=24)

    summary = send_appointment_reminders(engine, settings, starts - timedelta(hours=24))

    assert summary.processed == 1
    with Session(engine) as session:
        [reminder] = session.exec(select(Message).where(Message.kind == "reminder")).all()
        stored = session.get(Appointment, appointment.id)
        assert stored.reminders_sent == 1 and stored.remind_at == starts - timedelta(hours=2)
    assert "window 4" in reminder.body and "15:00" in reminder.body  # 10:00 UTC in Almaty
    cant = next(c["id"] for c in reminder.choices if "can" in c["label"].lower())
    say(identity.address, choice=cant)
    say(identity.address, "My child is sick")

    with Session(engine) as session:
        stored = session.get(Appointment, appointment.id)
    assert stored.status == AppointmentStatus.cant_make_it
    assert stored.response_reason == "My child is sick"
    assert ("appointment_cant_make_it", "medium") in _escalations(engine)


def test_a_paused_person_still_gets_appointment_reminders(engine, settings):
    person, _ = make_enrolled(engine, language="ru", status="paused")
    starts = NOON + timedelta(hours=2)
    with Session(engine) as session:
        session.add(
            Appointment(
                person_id=person.id, starts_at=starts, kind="meeting", place="x", remind_at=NOON
            )
        )
        session.commit()
    assert send_appointment_reminders(engine, settings, NOON).processed == 1


def test_an_unanswered_checkin_gets_one_nudge(engine, settings):
    person, _ = make_enrolled(engine, language="kk")
    with Session(engine) as session:
        session.add(CheckIn(person_id=person.id, due_at=NOON))
        session.commit()
    send_due_checkins(engine, settings, NOON)
    halfway = NOON + timedelta(seconds=settings.checkin_reply_window_seconds / 2)

    assert send_checkin_nudges(engine, settings, halfway - timedelta(seconds=1)).processed == 0
    assert send_checkin_nudges(engine, settings, halfway).processed == 1
    assert send_checkin_nudges(engine, settings, halfway + timedelta(hours=1)).processed == 0
    with Session(engine) as session:
        nudges = session.exec(select(Message).where(Message.kind == "nudge")).all()
    assert len(nudges) == 1 and len(nudges[0].choices) == 5
