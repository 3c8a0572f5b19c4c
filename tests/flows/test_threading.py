"""A question the bot starts (an appointment reminder) over one still open (a check-in):
every answer goes to the question it answers, and a bare number is never guessed at."""

from __future__ import annotations

import pytest

import flows
from flows.types import (
    IDLE,
    RecordCheckInAnswer,
    RespondToAppointment,
    UserInput,
)
from tests.flows.states import APPOINTMENT, PERSON, context

CHECKIN = flows.start_checkin(context(IDLE)).state
REMINDED = flows.start_appointment_reminder(context(CHECKIN), APPOINTMENT).state


def _say(user_input: UserInput):  # type: ignore[no-untyped-def]
    return flows.handle(context(REMINDED, user_input, PERSON))


def _effects(result, kind):  # type: ignore[no-untyped-def]
    return [e for e in result.effects if isinstance(e, kind)]


def test_the_issue_a_2_for_the_mood_is_not_taken_as_cant_come() -> None:
    result = _say(UserInput(text="2"))
    assert _effects(result, RespondToAppointment) == []
    assert _effects(result, RecordCheckInAnswer) == []
    assert [r.key for r in result.replies] == ["common.which_question", "appointment.reminder"]
    assert result.state == REMINDED


def test_the_older_questions_button_answers_the_older_question() -> None:
    result = _say(UserInput(choice="m2"))
    assert [e.mood for e in _effects(result, RecordCheckInAnswer)] == [2]
    assert _effects(result, RespondToAppointment) == []
    # The reminder is still the open question, and the check-in goes on under it.
    assert result.state.flow == "appointment"
    assert result.state.data["resume"]["step"] == "need"
    assert [r.key for r in result.replies][-1] == "appointment.reminder"


@pytest.mark.parametrize(("text", "mood"), [("хреново", 2), ("норм", 3), ("👍", 4)])
def test_a_mood_in_words_goes_to_the_check_in(text: str, mood: int) -> None:
    result = _say(UserInput(text=text))
    assert [e.mood for e in _effects(result, RecordCheckInAnswer)] == [mood]
    assert _effects(result, RespondToAppointment) == []


@pytest.mark.parametrize(("text", "confirmed"), [("приду", True), ("не смогу", False)])
def test_words_for_the_reminder_answer_the_reminder(text: str, confirmed: bool) -> None:
    result = _say(UserInput(text=text))
    assert [e.confirmed for e in _effects(result, RespondToAppointment)] == [confirmed]
    assert _effects(result, RecordCheckInAnswer) == []


def test_with_nothing_underneath_a_number_answers_the_only_question() -> None:
    alone = flows.start_appointment_reminder(context(IDLE), APPOINTMENT).state
    result = flows.handle(context(alone, UserInput(text="2"), PERSON))
    assert [e.confirmed for e in _effects(result, RespondToAppointment)] == [False]


def test_words_for_neither_question_are_not_taken_as_a_note_under_a_reminder() -> None:
    result = _say(UserInput(text="дома опять ссоры с женой"))
    assert _effects(result, RecordCheckInAnswer) == []
