"""Crisis words in every language pre-empt every state: the safety message with the
deployment's hotlines, and a critical escalation that does not quote the person."""

from __future__ import annotations

from dataclasses import replace

import pytest

import flows
from flows import crisis
from flows.engine import FLOWS
from flows.matching import phrases
from flows.render import render_reply
from flows.types import (
    IDLE,
    LANGUAGES,
    Deployment,
    FlowContext,
    Hotline,
    OpenEscalation,
    UserInput,
)
from flows.vocabulary import INTENT_WORDS
from tests.flows.states import context, label, reachable_states

STATES = reachable_states()
CRISIS_LANGUAGES = sorted(
    path.stem.removeprefix("crisis_") for path in crisis.DATA_DIR.glob(crisis.LIST_PATTERN)
)


def data_phrases(language: str) -> list[str]:
    """Every message a language's reviewed list gives as an example it must find (its
    `[yes]` lines; the rules themselves are word sets, not messages)."""
    lines = (crisis.DATA_DIR / f"crisis_{language}.txt").read_text(encoding="utf-8").splitlines()
    found = [line.split("#", 1)[0].strip() for line in lines]
    return [line.removeprefix("[yes]").strip() for line in found if line.startswith("[yes]")]


# How people really write them: case, spacing, punctuation, repeated and look-alike
# letters, common misspellings, no Kazakh keyboard, Latin letters.
VARIANTS = {
    "ru": [
        "Я НЕ ХОЧУ ЖИТЬ!!!",
        "не  хочу   жить",
        "не хочу жыть",
        "не хачу жить",
        "ууубить себя",
        "убю сибя",
        "хочу умиреть",
        "пакончу с сабой",
        "покончу с собой.",
        "думаю о суициде",
        "мысли о самоубийстве",
        "ne hochu zhit",
        "ne xochu jit",
        "ubit sebya",
        "ub'yu sebya",
        "pokonchit s soboy",
        "samoubiystvo",
        "suicid",
        "нe хочу жить",  # a Latin "e"
        "меня бьют дома",
        "Мне угрожают",
        "я его убью",
        "я в опасности",
        "помогите, спасите",
        "сведу счёты с жизнью",
    ],
    "kk": [
        "өзімді өлтіремін",
        "озимди олтиремин",
        "ozimdi oltiremin",
        "Өмір сүргім келмейді",
        "омир сургим келмейди",
        "өлгім келеді",
        "olgim keledi",
        "ölgim keledi",
        "мені ұрып жатыр",
        "маған қауіп төніп тұр",
        "оны өлтіремін",
    ],
    "en": [
        "I want to kill myself",
        "KILL MYSELF",
        "i wanna die",
        "I'm in danger",
        "Im in danger",
        "thinking about suicide",
        "self-harm",
        "I don't want to live",
        "they beat me",
        "i will kill him",
        "killl myself",
    ],
}


def test_every_language_has_a_reviewed_list() -> None:
    assert set(LANGUAGES) <= set(CRISIS_LANGUAGES)


@pytest.mark.parametrize("language", CRISIS_LANGUAGES)
def test_every_listed_phrase_is_detected(language: str) -> None:
    missed = [phrase for phrase in data_phrases(language) if crisis.detect(phrase) is None]
    assert not missed


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in VARIANTS.items() for text in texts]
)
def test_the_ways_people_write_them_are_detected(language: str, text: str) -> None:
    assert crisis.detect(text) is not None
    assert crisis.detect(f"Здравствуйте. {text} Не знаю что делать") is not None


def ordinary_words() -> set[str]:
    words = {
        phrase
        for spec in FLOWS.values()
        for question in spec.questions.values()
        for choice in question.choices
        for phrase in phrases(choice.key)
    }
    words |= {word for group in INTENT_WORDS.values() for word in group}
    return words | {
        "Жұмыс алғым келеді",
        "zhumys algym keledi",
        "мне нужна работа",
        "I need a job",
        "спасибо",
        "всё хорошо",
        "плохо",
        "очень плохо",
        "убираю дом",
        "stable job",
        "помогите найти работу",
        "меня зовут Айдар",
        "жұмыс табуға көмектесіңіз",
    }


def test_ordinary_answers_are_not_crisis_words() -> None:
    # False alarms are acceptable, but not on the answers every journey expects.
    assert [word for word in ordinary_words() if crisis.detect(word)] == []


def test_nothing_is_not_a_crisis() -> None:
    for text in (None, "", "   ", "😀", "1"):
        assert crisis.detect(text) is None


@pytest.mark.parametrize("language", CRISIS_LANGUAGES)
@pytest.mark.parametrize(
    ("person", "state"), STATES, ids=[label(person, state) for person, state in STATES]
)
def test_crisis_words_pre_empt_every_state(person, state, language: str) -> None:
    for phrase in [*data_phrases(language), *VARIANTS[language]]:
        result = flows.handle(context(state, UserInput(text=phrase), person))
        keys = [reply.key for reply in result.replies]
        assert keys == ["crisis.safety", "crisis.officer_told"], phrase
        escalations = [e for e in result.effects if isinstance(e, OpenEscalation)]
        assert [(e.reason, e.severity) for e in escalations] == [("crisis", "critical")], phrase
        assert escalations[0].detail in crisis.CATEGORIES
        assert result.state == IDLE


def test_a_pressed_button_or_a_photo_is_never_a_crisis() -> None:
    for user_input in (UserInput(choice="m1"), UserInput(kind="photo")):
        assert crisis.respond(context(IDLE, user_input)) is None


@pytest.mark.parametrize(
    ("text", "also_in"), [("хочу умереть", None), ("kill myself", "en"), ("өлгім келеді", "kk")]
)
def test_a_stranger_gets_the_safety_message_but_no_escalation(text: str, also_in) -> None:
    # No person, no officer: nothing to escalate. The guessed language (Russian here)
    # may be wrong, so the message comes again in the language the words were in.
    ctx = FlowContext(None, IDLE, UserInput(text=text), context(IDLE).now, "ru")
    result = flows.handle(ctx)
    assert result.effects == ()
    assert result.state == IDLE
    texts = [render_reply(reply, "ru").text for reply in result.replies]
    assert texts[0].startswith("Вы не одни.")
    if also_in is None:
        assert len(texts) == 1
    else:
        expected = render_reply(crisis.safety_reply(Deployment()), also_in).text
        assert texts[1:] == [expected]


def test_the_safety_message_gives_the_deployments_hotlines() -> None:
    deployment = Deployment(
        hotlines=(Hotline("hotline.emergency", "911"), Hotline("hotline.trust_line", "8 800"))
    )
    ctx = replace(context(IDLE, UserInput(text="не хочу жить")), deployment=deployment)
    safety = flows.handle(ctx).replies[0]
    assert render_reply(safety, "ru").text.splitlines()[1:] == [
        "911 — экстренная служба",
        "8 800 — телефон доверия",
    ]
    assert render_reply(safety, "en").text.splitlines()[1:] == [
        "911 - emergency",
        "8 800 - trust line",
    ]


@pytest.mark.parametrize(
    ("hotlines", "line"),
    [
        ((Hotline("hotline.no_such_line", "103"),), "103 — көмек телефоны"),
        ((), "112 — шұғыл қызмет"),  # none configured: the defaults, never silence
    ],
)
def test_an_unknown_or_missing_hotline_never_breaks_the_safety_message(hotlines, line) -> None:
    ctx = replace(context(IDLE, UserInput(text="kill myself")), deployment=Deployment(hotlines))
    assert line in render_reply(flows.handle(ctx).replies[0], "kk").text.splitlines()


def test_the_escalation_never_quotes_the_person() -> None:
    text = "не хочу жить, мой адрес ул. Абая 10"
    result = flows.handle(context(IDLE, UserInput(text=text)))
    assert all("Абая" not in str(effect) for effect in result.effects)


def test_a_phrase_list_with_an_unknown_category_is_refused(tmp_path, monkeypatch) -> None:
    (tmp_path / "crisis_ru.txt").write_text("[feelings]\nгрустно\n", encoding="utf-8")
    monkeypatch.setattr(crisis, "DATA_DIR", tmp_path)
    crisis.phrases.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown category"):
            crisis.phrases()
    finally:
        monkeypatch.undo()
        crisis.phrases.cache_clear()
