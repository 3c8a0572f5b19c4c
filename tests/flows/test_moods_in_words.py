"""How people say how they are, at the check-in's mood question: in words, slang, Latin
letters and emoji, in Russian, Kazakh and English; and "stop writing to me" is asked
about, not obeyed blindly."""

from __future__ import annotations

import pytest

import flows
from flows.types import IDLE, RecordCheckInAnswer, SetPaused, UserInput
from tests.flows.states import PERSON, context

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
