"""An idle person's own words, read by the language layer: a request starts its journey,
a greeting or thanks gets its answer, and what is not understood is said honestly (the bot
no longer thanks a person for writing that they have nowhere to live)."""

from __future__ import annotations

import pytest

import flows
from flows.types import IDLE, OpenEscalation, UserInput
from tests.flows.states import PERSON, context


def _say(text: str):  # type: ignore[no-untyped-def]
    return flows.handle(context(IDLE, UserInput(text=text), PERSON))


@pytest.mark.parametrize(
    ("text", "journey"),
    [
        ("жить негде", "housing"),
        ("тұратын жерім жоқ", "housing"),
        ("nowhere to live", "housing"),
        ("zhit negde", "housing"),
        ("мне нужна работа", "work"),
        ("I need a job", "work"),
        ("ищу работу", "work"),
        ("жұмыс керек", "work"),
        ("хочу поговорить с психологом", "counselling"),
        ("хочу к имаму", "counselling"),
    ],
)
def test_a_request_in_free_text_starts_its_journey(text: str, journey: str) -> None:
    result = _say(text)
    assert result.state.flow == journey, (text, [r.key for r in result.replies])
    assert all(r.key != "idle.fallback" for r in result.replies)


@pytest.mark.parametrize("text", ["мне негде ночевать сегодня", "negde nochevat segodnya"])
def test_nowhere_to_sleep_tonight_goes_straight_to_tonight(text: str) -> None:
    result = _say(text)
    assert [r.key for r in result.replies][-1] == "housing.officer_told"
    assert [e.reason for e in result.effects if isinstance(e, OpenEscalation)] == [
        "housing_tonight"
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("привет", "idle.greeting"),
        ("сәлем", "idle.greeting"),
        ("hello", "idle.greeting"),
        ("спасибо", "idle.welcome"),
        ("рахмет", "idle.welcome"),
        ("thanks", "idle.welcome"),
        ("asdfgh", "idle.fallback"),
    ],
)
def test_small_talk_and_what_is_not_understood(text: str, key: str) -> None:
    assert [r.key for r in _say(text).replies] == [key]


def test_a_documents_question_reaches_the_officer() -> None:
    result = _say("где сделать паспорт?")
    assert [r.key for r in result.replies] == ["officer.will_be_told"]
    assert any(isinstance(e, OpenEscalation) for e in result.effects)


def test_the_not_understood_text_thanks_no_one() -> None:
    from flows.i18n import translate

    for language in ("ru", "kk", "en"):
        text = translate("idle.fallback", language).lower()
        assert not any(word in text for word in ("спасибо", "рахмет", "thank"))
