"""SMS keywords: single words only, any case or punctuation, in English, Russian, Kazakh."""

from __future__ import annotations

import pytest

from bot.channels.sms.keywords import classify, is_yes, twilio_acts_on


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop! ",
        "STOPALL",
        "Unsubscribe",
        "cancel",
        "END",
        "quit",
        "СТОП",
        "стоп.",
        "Отписаться",
        "ТОҚТА",
        "тоқтату",
        "токта",
    ],
)
def test_opt_out_words(text: str) -> None:
    assert classify(text) == "opt_out"


@pytest.mark.parametrize(
    "text", ["START", "unstop", "Yes", "СТАРТ", "да", "Возобновить", "ИӘ", "иа", "бастау"]
)
def test_opt_in_words(text: str) -> None:
    assert classify(text) == "opt_in"


@pytest.mark.parametrize("text", ["HELP", "info", "Помощь", "справка", "көмек", "ИНФО"])
def test_help_words(text: str) -> None:
    assert classify(text) == "help"


@pytest.mark.parametrize(
    "text", ["stop please", "please stop", "не стоп", "stopp", "", None, "нет", "отмена", "2"]
)
def test_anything_else_is_no_keyword(text: str | None) -> None:
    assert classify(text) is None


def test_twilio_s_own_classification_wins() -> None:
    # Advanced Opt-Out matched a custom keyword we do not know.
    assert classify("хватит", opt_out_type="STOP") == "opt_out"
    assert classify("STOP", opt_out_type="START") == "opt_in"
    assert classify("что угодно", opt_out_type="help") == "help"
    assert classify("STOP", opt_out_type="SOMETHING_NEW") == "opt_out"


def test_twilio_acts_only_on_its_english_words() -> None:
    assert twilio_acts_on("Stop") and twilio_acts_on("START") and twilio_acts_on("info")
    assert not twilio_acts_on("СТОП") and not twilio_acts_on("старт")


@pytest.mark.parametrize("text", ["YES", "yes.", "Да", "ДА!", "иә", "Ия", "ok", "START"])
def test_yes_to_an_invitation(text: str) -> None:
    assert is_yes(text)


@pytest.mark.parametrize("text", ["no", "нет", "yes please no", "", None])
def test_not_yes(text: str | None) -> None:
    assert not is_yes(text)
