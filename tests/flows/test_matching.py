"""Matching what people write to the options offered, and reading invite codes."""

from __future__ import annotations

import pytest

from flows import extract_invite_code
from flows.checkin import MOOD_QUESTION, NEED_QUESTION
from flows.consent import CONSENT_QUESTION
from flows.engine import FLOWS
from flows.language import LANGUAGE_QUESTION
from flows.matching import match_choice, match_intent, normalize, phrases
from flows.menu import MENU_QUESTION
from flows.types import UserInput
from flows.vocabulary import INTENT_CHOICES, INTENT_WORDS


def pick(question, text: str | None = None, choice: str | None = None) -> str | None:
    return question.answer(UserInput(text=text, choice=choice))


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Да!!  ", "да"),
        ("ВСЁ   хорошо.", "все хорошо"),
        ("Жоқ", "жок"),
        ("тiл", "тил"),  # Latin i for Kazakh і
        (" 2. ", "2"),
        ("#3)", "3"),
        ("/help@JolserikBot", "help"),
        ("２", "2"),
        ("👍", ""),
        ("\u200bok\u200b", "ok"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalize(raw: str | None, normal: str) -> None:
    assert normalize(raw) == normal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "m1"),
        ("5", "m5"),
        (" 2. ", "m2"),
        ("3)", "m3"),
        ("очень плохо", "m1"),
        ("Плохо", "m2"),
        ("нормально", "m3"),
        ("хорошо", "m4"),
        ("отлично!", "m5"),
        ("өте нашар", "m1"),
        ("жаксы", "m4"),
        ("керемет", "m5"),
        ("very bad", "m1"),
        ("Bad", "m2"),
        ("so-so", "m3"),
        ("GOOD", "m4"),
        ("great", "m5"),
    ],
)
def test_mood_by_digit_or_word_in_any_language(text: str, expected: str) -> None:
    assert pick(MOOD_QUESTION, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "c_yes"),
        ("Yes.", "c_yes"),
        ("да", "c_yes"),
        ("ДА!", "c_yes"),
        ("иә", "c_yes"),
        ("ия", "c_yes"),
        ("Иа", "c_yes"),
        ("1", "c_yes"),
        ("no", "c_no"),
        ("нет", "c_no"),
        ("Жоқ", "c_no"),
        ("жок", "c_no"),
        ("2", "c_no"),
    ],
)
def test_yes_and_no_in_every_language(text: str, expected: str) -> None:
    assert pick(CONSENT_QUESTION, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Работа", "n_work"),
        ("жұмыс", "n_work"),
        ("job", "n_work"),
        ("жильё", "n_housing"),
        ("жилье", "n_housing"),
        ("Баспана", "n_housing"),
        ("психолог", "n_counselling"),
        ("кеңес алу", "n_counselling"),
        ("Talk to my officer", "n_officer"),
        ("куратор", "n_officer"),
        ("Бәрі жақсы", "n_ok"),
        ("все хорошо", "n_ok"),
        ("нет", "n_ok"),
        ("all good", "n_ok"),
    ],
)
def test_needs_by_label_or_synonym_in_any_language(text: str, expected: str) -> None:
    assert pick(NEED_QUESTION, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Русский", "l_ru"),
        ("қазақша", "l_kk"),
        ("казакша", "l_kk"),
        ("English", "l_en"),
        ("английский", "l_en"),
        ("3", "l_en"),
    ],
)
def test_language_names(text: str, expected: str) -> None:
    assert pick(LANGUAGE_QUESTION, text) == expected


def test_a_pressed_button_wins_over_text() -> None:
    assert pick(CONSENT_QUESTION, text="нет", choice="c_yes") == "c_yes"


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("0", None),
        ("6", None),
        ("1.5", None),
        ("1000", None),
        ("9" * 10_000, None),
        ("maybe", None),
        ("да нет", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("😀", None),
        (None, "m9"),
        (None, ""),
        ("m1", None),
    ],
)
def test_anything_else_is_no_answer(text: str | None, choice: str | None) -> None:
    assert pick(MOOD_QUESTION, text, choice) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("help", "help"),
        ("/help", "help"),
        ("Помощь!", "help"),
        ("көмек", "help"),
        ("комек", "help"),
        ("/menu@JolserikBot", "menu"),
        ("МЕНЮ", "menu"),
        ("мәзір", "menu"),
        ("/language", "language"),
        ("язык", "language"),
        ("тіл", "language"),
        ("privacy", "privacy"),
        ("приватность", "privacy"),
        ("құпиялық", "privacy"),
        ("hello", None),
        ("help me please", None),
        ("", None),
        (None, None),
    ],
)
def test_global_intents(text: str | None, intent: str | None) -> None:
    assert match_intent(UserInput(text=text)) == intent


def test_a_button_press_is_never_an_intent() -> None:
    assert match_intent(UserInput(choice="help")) is None


def all_questions():
    return [
        (f"{spec.name}/{step}", question)
        for spec in FLOWS.values()
        for step, question in spec.questions.items()
    ] + [("menu", MENU_QUESTION)]


@pytest.mark.parametrize(("where", "question"), all_questions())
def test_no_word_selects_two_options_of_one_question(where: str, question) -> None:
    owner: dict[str, str] = {}
    for choice in question.choices:
        for phrase in phrases(choice.key):
            assert owner.setdefault(phrase, choice.id) == choice.id, (where, phrase)


@pytest.mark.parametrize(("where", "question"), all_questions())
def test_no_option_word_is_swallowed_by_a_global_intent(where: str, question) -> None:
    for choice in question.choices:
        for phrase in phrases(choice.key):
            intent = match_intent(UserInput(text=phrase))
            # A menu entry may share words with the intent that does the same thing.
            assert intent in (None, INTENT_CHOICES.get(choice.key)), (where, phrase, intent)


def test_intent_words_are_distinct() -> None:
    seen: dict[str, str] = {}
    for intent, words in INTENT_WORDS.items():
        for word in words:
            assert seen.setdefault(normalize(word), intent) == intent, word


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("/start Ab3dEf9hKk", "Ab3dEf9hKk"),
        ("/start   Ab3dEf9hKk  ", "Ab3dEf9hKk"),
        ("/start@JolserikBot Ab3d_Ef-9", "Ab3d_Ef-9"),
        ("Ab3dEf9hKk", "Ab3dEf9hKk"),
        ("  Ab3dEf9hKk\n", "Ab3dEf9hKk"),
        ("abcdef", "abcdef"),
        ("a" * 64, "a" * 64),
        ("/start", None),
        ("/start ", None),
        ("/start abc", None),
        ("abcde", None),
        ("a" * 65, None),
        ("Ab3d Ef9h", None),
        ("my code is Ab3dEf9hKk", None),
        ("/start Ab3d Ef9h", None),
        ("Ab3d!Ef9h", None),
        ("Ab3d.Ef9h", None),
        ("Код123456", None),
        ("/help", None),
        ("", None),
        (None, None),
    ],
)
def test_extract_invite_code(text: str | None, code: str | None) -> None:
    assert extract_invite_code(text) == code


def test_a_button_id_matches_only_its_own_question() -> None:
    assert match_choice(UserInput(choice="c_yes"), MOOD_QUESTION.choices) is None
