"""Rules of the support journeys that the transcripts show only in passing."""

from __future__ import annotations

from dataclasses import replace

import pytest

import flows
from flows.appointments import KINDS
from flows.render import render_reply
from flows.types import (
    IDLE,
    AppointmentInfo,
    CountMisunderstanding,
    CreateReferral,
    Directory,
    FlowState,
    OpenEscalation,
    RecordCheckInAnswer,
    RecordConsent,
    ReferralInfo,
    SetPaused,
    UserInput,
)
from flows.wording import reveals
from tests.flows.states import APPOINTMENT, PERSON, context
from tests.flows.transcript_events import DIRECTORIES

CHECKIN_NEED = FlowState("checkin", "need")
EMPTY = DIRECTORIES["empty"]


def keys(result) -> list[str]:
    return [reply.key for reply in result.replies]


def say(state: FlowState, text: str | None = None, *, choice: str | None = None, **person):
    who = replace(PERSON, **person)
    return flows.handle(context(state, UserInput(text=text, choice=choice), who))


def escalations(result) -> list[tuple[str, str]]:
    return [(e.reason, e.severity) for e in result.effects if isinstance(e, OpenEscalation)]


# --- check-in


@pytest.mark.parametrize(
    ("last", "mood", "escalated"),
    [(2, "1", True), (1, "2", True), (None, "1", False), (3, "1", False), (1, "3", False)],
)
def test_two_low_moods_in_a_row_tell_the_officer(last, mood, escalated) -> None:
    result = say(FlowState("checkin", "mood"), mood, last_mood=last)
    assert escalations(result) == ([("low_mood", "medium")] if escalated else [])


def test_a_low_mood_is_acknowledged_before_the_next_question() -> None:
    assert keys(say(FlowState("checkin", "mood"), "1")) == ["checkin.sorry", "checkin.ask_need"]


@pytest.mark.parametrize("text", ["куратор", "Связаться с куратором", "4"])
def test_asking_for_the_officer_in_a_check_in_is_recorded_as_the_answer(text) -> None:
    result = say(CHECKIN_NEED, text)
    assert result.effects[0] == RecordCheckInAnswer(need="officer")
    assert escalations(result) == [("asked_officer", "medium")]
    assert result.state == FlowState("checkin", "note", {"need": "officer"})


def test_the_note_is_optional_and_a_need_leads_into_its_journey() -> None:
    skipped = say(FlowState("checkin", "note", {"need": "ok"}), "пропустить")
    assert skipped.effects == (RecordCheckInAnswer(complete=True),)
    written = say(FlowState("checkin", "note", {"need": "housing"}), "  Ищу комнату  ")
    assert written.effects == (RecordCheckInAnswer(note="Ищу комнату", complete=True),)
    assert keys(written) == ["checkin.thanks", "housing.ask_when"]
    assert written.state == FlowState("housing", "when")


@pytest.mark.parametrize(
    ("state", "nudge"),
    [
        (FlowState("checkin", "mood"), "checkin.nudge_mood"),
        (FlowState("checkin", "note", {"need": "ok"}), "checkin.nudge_note"),
        (
            FlowState(
                "menu", "choose", {"resume": {"flow": "checkin", "step": "need", "data": {}}}
            ),
            "checkin.nudge_need",
        ),
        (IDLE, "checkin.nudge_mood"),
        (FlowState("work", "field"), "checkin.nudge_mood"),
    ],
)
def test_a_nudge_asks_the_open_check_in_question_again(state, nudge) -> None:
    result = flows.start_checkin_nudge(context(state))
    assert keys(result) == [nudge]
    assert result.state.flow == "checkin"
    assert result.effects == ()


# --- always available


def test_misunderstandings_are_counted_and_the_third_offers_the_officer() -> None:
    first = say(IDLE, "что?", misunderstood_in_row=0)
    assert first.effects == (CountMisunderstanding(),)
    third = say(FlowState("checkin", "mood"), "что?", misunderstood_in_row=2)
    assert keys(third) == ["common.not_understood", "officer.offer"]
    assert third.state.data["resume"]["flow"] == "checkin"
    yes = say(third.state, "да", misunderstood_in_row=3)
    assert escalations(yes) == [("asked_officer", "medium")]
    assert CountMisunderstanding(reset=True) in yes.effects
    assert keys(yes) == ["officer.will_be_told", "checkin.ask_mood"]


def test_the_offer_is_not_made_again_while_it_is_open() -> None:
    offer = FlowState("officer_offer", "offer")
    assert keys(say(offer, "что?", misunderstood_in_row=5)) == [
        "common.not_understood",
        "officer.offer",
    ]


def test_understood_input_resets_the_count_only_when_there_is_one() -> None:
    assert CountMisunderstanding(reset=True) not in say(IDLE, "menu").effects
    assert CountMisunderstanding(reset=True) in say(IDLE, "menu", misunderstood_in_row=1).effects


def test_sign_up_offers_a_person_after_two_misses() -> None:
    """During sign-up there is no menu to fall back on: the second miss offers the officer."""
    consent = FlowState("enrollment", "consent")
    first = say(consent, "что?", status="invited", consent_given=None)
    assert CountMisunderstanding(reset=False) in first.effects
    assert "officer.offer" not in keys(first)
    second = say(consent, "что?", status="invited", consent_given=None, misunderstood_in_row=1)
    assert keys(second) == ["common.not_understood", "officer.offer"]
    told = say(second.state, "куратор", status="invited", misunderstood_in_row=2)
    assert escalations(told) == [("asked_officer", "medium")]  # one request, not two
    assert told.state == consent  # and back to the question


def test_stop_and_crisis_end_a_side_trip_without_asking_again() -> None:
    menu = FlowState("menu", "choose", {"resume": {"flow": "checkin", "step": "mood", "data": {}}})
    stopped = say(menu, "стоп")
    assert (keys(stopped), stopped.state, stopped.effects) == (
        ["pause.stopped"],
        IDLE,
        (SetPaused(True),),
    )
    assert say(menu, "хочу умереть").state == IDLE


def test_start_unpauses_and_asks_the_open_question_again() -> None:
    result = say(FlowState("checkin", "mood"), "/start", paused=True)
    assert result.effects == (SetPaused(False),)
    assert keys(result) == ["pause.resumed", "checkin.ask_mood"]
    assert keys(say(IDLE, "/start")) == ["menu.ask"]


@pytest.mark.parametrize("text", ["работа", "Жұмыс", "housing", "психолог"])
def test_an_idle_person_naming_a_journey_goes_straight_there(text) -> None:
    assert say(IDLE, text).state.flow in ("work", "housing", "counselling")


def test_an_idle_number_is_not_taken_as_a_menu_entry() -> None:
    assert keys(say(IDLE, "1")) == ["idle.fallback"]


# --- privacy


def test_saying_no_in_privacy_withdraws_consent_and_tells_the_officer_once() -> None:
    opened = say(IDLE, "privacy")
    assert keys(opened) == ["privacy.given", "consent.ask"]
    withdrawn = say(opened.state, "нет")
    assert RecordConsent(False, flows.CONSENT_TEXT_VERSION) in withdrawn.effects
    assert escalations(withdrawn) == [("consent_withdrawn", "low")]
    again = say(opened.state, "нет", consent_given=False)
    assert escalations(again) == []
    assert keys(say(IDLE, "privacy", consent_given=False))[0] == "privacy.not_given"


# --- work, housing, counselling


def test_work_offers_at_most_three_opportunities_those_nearby_first() -> None:
    many = tuple(
        replace(DIRECTORIES["demo"].opportunities[0], id=200 + n, region=region)
        for n, region in enumerate(["Astana", "Astana", "Karaganda", "Karaganda", "Karaganda"])
    )
    directory = replace(DIRECTORIES["demo"], opportunities=many)
    ctx = context(FlowState("work", "field"), UserInput(text="стройка"), directory=directory)
    result = flows.handle(ctx)
    assert result.state.data["ids"] == [202, 203, 204]


def test_an_opportunity_filled_meanwhile_is_not_referred() -> None:
    shown = say(FlowState("work", "field"), "общепит").state
    result = flows.handle(context(shown, UserInput(text="1"), directory=EMPTY))
    assert keys(result) == ["work.gone", "work.nothing_no_partner"]
    assert not [e for e in result.effects if isinstance(e, CreateReferral)]


def test_nothing_matching_offers_job_counselling_or_the_officer() -> None:
    nothing = say(FlowState("work", "field"), "сельхоз")
    assert keys(nothing) == ["work.nothing"]
    referred = say(say(nothing.state, "1").state, "да")
    assert referred.effects == (
        CreateReferral(
            "employment",
            3,
            None,
            ("first_name", "language", "need", "phone"),
            "job counselling; agriculture",
        ),
    )
    noted = say(nothing.state, "2")
    assert escalations(noted) == [("no_matching_work", "low")]


def test_nothing_is_shared_without_a_yes_naming_the_organisation() -> None:
    share = say(say(FlowState("work", "field"), "общепит").state, "интересно")
    assert "Кафе Достар" in render_reply(share.replies[0], "ru").text
    assert say(share.state, "нет").effects == ()
    broken = replace(share.state, data={**share.state.data, "org_id": "1; DROP"})
    assert keys(say(broken, "да")) == ["share.expired"]


@pytest.mark.parametrize("directory", ["demo", "empty"])
def test_housing_tonight_gives_contacts_at_once_and_a_high_escalation(directory) -> None:
    where = DIRECTORIES[directory]
    ctx = context(FlowState("housing", "when"), UserInput(text="1"), directory=where)
    result = flows.handle(ctx)
    assert escalations(result) == [("housing_tonight", "high")]
    text = render_reply(result.replies[0], "ru").text
    assert ("+7 701 555 11 22" in text) if directory == "demo" else ("112" in text)
    assert result.state == IDLE


def test_counselling_is_never_pushed() -> None:
    for state in (FlowState("counselling", "who"), FlowState("counselling", "how", {"who": "x"})):
        result = say(state, "не сейчас")
        assert (keys(result), result.effects, result.state) == (["common.not_now"], (), IDLE)


def test_a_counselling_referral_carries_only_what_kind_and_how() -> None:
    how = say(say(IDLE, "психолог").state, "оба").state
    share = say(how, "в чате")
    assert keys(share) == ["counselling.confidential", "share.ask"]
    done = say(share.state, "да")
    assert done.effects == (
        CreateReferral(
            "psychological_support",
            7,
            None,
            ("first_name", "language", "need", "phone"),
            "both; chat",
        ),
    )


# --- appointments and referrals


def test_an_appointment_reminder_comes_back_to_the_open_question() -> None:
    reminder = flows.start_appointment_reminder(context(CHECKIN_NEED), APPOINTMENT)
    confirmed = say(reminder.state, "приду")
    assert keys(confirmed) == ["appointment.confirmed", "checkin.ask_need"]
    assert confirmed.state == CHECKIN_NEED


def test_cant_make_it_tells_the_officer_and_asks_the_reason_once() -> None:
    reminder = flows.start_appointment_reminder(context(IDLE), APPOINTMENT)
    cant = say(reminder.state, "не смогу")
    assert escalations(cant) == [("appointment_cant_make_it", "medium")]
    reason = say(cant.state, "x" * 900)
    assert reason.effects[0].reason == "x" * 500
    assert reason.state == IDLE


@pytest.mark.parametrize(
    ("kind", "place", "shown"),
    [
        ("probation check", "ул. Абая 10", "встреча"),  # not a known kind: a neutral word
        ("medical", "Уголовно-исполнительная инспекция", "уточните у куратора"),
        ("medical", "", "уточните у куратора"),
    ],
)
def test_a_reminder_never_shows_what_must_not_be_seen(kind, place, shown) -> None:
    info = AppointmentInfo(5, kind, place, "29.11 10:00", 2)
    text = render_reply(flows.start_appointment_reminder(context(IDLE), info).replies[0], "ru").text
    assert shown in text
    assert not reveals(text)


def test_the_appointment_kinds_are_a_closed_set() -> None:
    assert (
        frozenset({"meeting", "documents", "job_interview", "counselling", "medical", "other"})
        == KINDS
    )


@pytest.mark.parametrize("status", ["accepted", "declined", "weird"])
def test_referral_news_is_one_message_and_changes_nothing(status) -> None:
    info = ReferralInfo(9, "housing", "Фонд Баспана", status)
    result = flows.start_referral_update(context(CHECKIN_NEED), info)
    assert len(result.replies) == 1
    assert result.state == CHECKIN_NEED
    assert result.effects == ()


def test_a_completed_referral_asks_for_a_rating() -> None:
    info = ReferralInfo(9, "housing", "Фонд Баспана", "completed")
    asked = flows.start_referral_update(context(IDLE), info)
    rated = say(asked.state, "4")
    assert [type(e).__name__ for e in rated.effects] == ["RateReferral"]
    assert (rated.effects[0].referral_id, rated.effects[0].rating) == (9, 4)


def test_a_directory_without_partners_never_breaks_a_journey() -> None:
    for text in ("работа", "жильё", "консультация"):
        state = flows.handle(context(IDLE, UserInput(text=text), directory=Directory())).state
        assert state.flow in ("work", "housing", "counselling")
