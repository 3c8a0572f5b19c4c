"""Choices as a numbered SMS menu, and answers to it read back by the flows."""

from __future__ import annotations

import pytest

from bot.channels.sms.render import render_sms
from flows.checkin import NEED_QUESTION
from flows.matching import match_choice
from flows.types import Choice, UserInput

LANGUAGES = (("l_ru", "Русский"), ("l_kk", "Қазақша"), ("l_en", "English"))


@pytest.mark.parametrize(
    ("language", "last_line"),
    [("en", "Reply 1, 2 or 3"), ("ru", "Ответьте 1, 2 или 3"), ("kk", "1, 2 не 3 деп жазыңыз")],
)
def test_choices_become_a_numbered_list_with_a_localised_instruction(
    language: str, last_line: str
) -> None:
    assert render_sms("Choose your language.", LANGUAGES, language).split("\n") == [
        "Choose your language.",
        "1 Русский",
        "2 Қазақша",
        "3 English",
        last_line,
    ]


def test_no_choices_leaves_the_text_alone() -> None:
    assert render_sms("Thank you.", (), "en") == "Thank you."


def test_a_scale_of_numbers_is_not_listed_again() -> None:
    scale = tuple((f"m{i}", str(i)) for i in range(1, 6))
    assert render_sms("How are you? 1 = bad, 5 = good", scale, "en") == (
        "How are you? 1 = bad, 5 = good\nReply 1-5"
    )


def test_two_options_and_one_option() -> None:
    assert render_sms("Agree?", (("y", "Yes"), ("n", "No")), "en").endswith("\nReply 1 or 2")
    # One option under a free-text question reads as an alternative, not an order to send 1.
    skip = "Хотите что-то добавить? Напишите здесь."
    assert render_sms(skip, (("s", "Пропустить"),), "ru") == f"{skip}\nИли ответьте 1: Пропустить"
    assert render_sms("Anything else?", (("s", "Skip"),), "en").endswith("\nOr reply 1: Skip")


def test_many_options_use_a_range() -> None:
    options = tuple((f"o{i}", f"Option {i}") for i in range(1, 8))
    assert render_sms("Menu", options, "ru").endswith("\n7 Option 7\nОтветьте 1-7")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("1", "n_work"),
        (" 2. ", "n_housing"),
        ("работа", "n_work"),
        ("ЖИЛЬЁ!", "n_housing"),
        ("жұмыс", "n_work"),
        ("Баспана", "n_housing"),
        ("Housing.", "n_housing"),
    ],
)
def test_a_person_answers_the_numbered_menu_by_digit_or_word(answer: str, expected: str) -> None:
    # The numbers the SMS shows are the positions the flows accept.
    choices: tuple[Choice, ...] = NEED_QUESTION.choices
    chosen = match_choice(UserInput(text=answer), choices)
    assert chosen is not None and chosen.id == expected
    rendered = render_sms("?", tuple((c.id, c.key) for c in choices), "en").split("\n")
    position = [c.id for c in choices].index(expected) + 1
    assert rendered[position].startswith(f"{position} ")
