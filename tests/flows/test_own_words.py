"""People's own words at open questions: moods at the check-in in words, slang, Latin
letters and emoji, in Russian, Kazakh and English; and "stop writing to me" is asked
about, not obeyed blindly."""

from __future__ import annotations

from dataclasses import replace

import pytest

import flows
from flows.types import IDLE, FlowState, RecordCheckInAnswer, SetLanguage, SetPaused, UserInput
from tests.flows.states import INVITED, PERSON, context

CHECKIN = flows.start_checkin(context(IDLE)).state


def _mood(text: str) -> int | None:
    result = flows.handle(context(CHECKIN, UserInput(text=text), PERSON))
    moods = [e.mood for e in result.effects if isinstance(e, RecordCheckInAnswer)]
    return moods[0] if moods else None


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("хреново", 2),
        ("ХРЕНОВО((", 2),
        ("не очень", 2),
        ("норм", 3),
        ("нормально всё", 3),
        ("так себе", 3),
        ("всё отлично", 5),
        ("👍", 4),
        ("🙏", 4),
        ("😢", 2),
        ("жаман", 2),
        ("nashar", 2),
        ("hrenovo", 2),
        ("normalno", 3),
        ("жақсы", 4),
        ("өте жақсы", 5),
        ("not great", 2),
        ("pretty good", 4),
        ("terrible", 1),
    ],
)
def test_a_mood_in_words_is_recorded(text: str, mood: int) -> None:
    assert _mood(text) == mood


@pytest.mark.parametrize("text", ["ываыва", "когда встреча", "123456"])
def test_what_is_no_mood_is_not_taken_for_one(text: str) -> None:
    assert _mood(text) is None


@pytest.mark.parametrize("text", ["хватит мне писать", "не пишите мне больше", "отстаньте от меня"])
def test_stop_writing_is_asked_about_first(text: str) -> None:
    asked = flows.handle(context(IDLE, UserInput(text=text), PERSON))
    assert [r.key for r in asked.replies] == ["pause.ask_stop"]
    assert not [e for e in asked.effects if isinstance(e, SetPaused)]
    yes = flows.handle(context(asked.state, UserInput(text="да"), PERSON))
    assert SetPaused(True) in yes.effects
    no = flows.handle(context(asked.state, UserInput(text="нет"), PERSON))
    assert [r.key for r in no.replies] == ["pause.keep"] and no.effects == ()


ENROLLING = FlowState("enrollment", "language")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("по русски", "ru"),
        ("po russki", "ru"),
        ("орысша", "ru"),
        ("на казахском", "kk"),
        ("қазақша", "kk"),
        ("in english please", "en"),
        # Answering the consent before it is asked: the language they wrote it in.
        ("да согласен", "ru"),
        ("иә келісемін", "kk"),
        ("yes I agree", "en"),
        ("ок", "ru"),
    ],
)
def test_sign_up_takes_the_language_in_own_words(text: str, language: str) -> None:
    who = replace(INVITED, consent_given=None)
    result = flows.handle(context(ENROLLING, UserInput(text=text), who))
    assert SetLanguage(language) in result.effects  # type: ignore[arg-type]
    assert result.state.step == "consent"


@pytest.mark.parametrize("text", ["мне нужна работа", "жить негде"])
def test_the_officer_offer_gives_way_to_a_request(text: str) -> None:
    from flows import officer

    offered = officer.offer(None).state
    result = flows.handle(context(offered, UserInput(text=text), PERSON))
    assert result.state.flow in ("work", "housing")
    assert "officer.offer" not in [r.key for r in result.replies]


def test_a_short_question_during_a_check_in_is_answered_and_the_check_in_goes_on() -> None:
    result = flows.handle(context(CHECKIN, UserInput(text="где сделать паспорт?"), PERSON))
    assert [r.key for r in result.replies] == ["officer.will_be_told", "checkin.ask_mood"]
    assert result.state == CHECKIN


@pytest.mark.parametrize(
    ("text", "journey"),
    [("мне нужна работа", "work"), ("жить негде", "housing"), ("I need a job", "work")],
)
def test_a_journey_asked_for_during_a_check_in_comes_back_to_it(text: str, journey: str) -> None:
    trip = flows.handle(context(CHECKIN, UserInput(text=text), PERSON))
    assert trip.state.flow == journey
    state = trip.state
    for _ in range(8):  # leave the journey the way people do: "not now"
        if state.flow != journey:
            break
        result = flows.handle(context(state, UserInput(choice=_not_now(state)), PERSON))
        state = result.state
    assert state == CHECKIN
    assert [r.key for r in result.replies][-1] == "checkin.ask_mood"


def _not_now(state: FlowState) -> str:
    from flows.engine import FLOWS

    question = FLOWS[state.flow].questions[state.step]  # type: ignore[index]
    ids = [c.id for c in question.choices]
    leaving = [i for i in ids if i.endswith(("_later", "_no"))]
    return leaving[0] if leaving else ids[-1]  # e.g. "any field", then "not now"


def test_news_that_answers_nothing_is_kept_for_the_officer() -> None:
    result = flows.handle(context(CHECKIN, UserInput(text="дома опять ссоры с женой"), PERSON))
    assert [r.key for r in result.replies] == ["checkin.note_kept", "checkin.ask_mood"]
    assert RecordCheckInAnswer(note="дома опять ссоры с женой") in result.effects
    assert result.state == CHECKIN
    slip = flows.handle(context(CHECKIN, UserInput(text="ываыв"), PERSON))
    assert not [e for e in slip.effects if isinstance(e, RecordCheckInAnswer)]
