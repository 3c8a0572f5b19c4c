"""Choosing the language to be written to in (the `language` intent, and enrollment)."""

from __future__ import annotations

import re
from typing import Any

from flows.steps import FlowSpec, Question, ask_again, state
from flows.types import IDLE, Choice, FlowContext, FlowResult, Language, Reply, SetLanguage

NAME = "language"

# The labels are each language's own name for itself, the same in every catalog, so a
# person can find theirs whatever language the question is asked in.
LANGUAGE_CHOICES = (
    Choice("l_ru", "lang.ru"),
    Choice("l_kk", "lang.kk"),
    Choice("l_en", "lang.en"),
)
LANGUAGE_QUESTION = Question("language.ask", LANGUAGE_CHOICES)
LANGUAGE_BY_CHOICE: dict[str, Language] = {"l_ru": "ru", "l_kk": "kk", "l_en": "en"}


# A language named in the person's own words: "по-русски", "на казахском", "орысша",
# "қазақша", "in English", "po russki" (word beginnings, any script the normaliser reads).
NAMED: tuple[tuple[Language, tuple[str, ...]], ...] = (
    ("ru", ("русск", "руск", "орыс", "russ", "rus", "orys")),
    ("kk", ("казах", "қазақ", "казак", "kazak", "kazah", "qazaq")),
    ("en", ("english", "англ", "ағылшын", "агылшын", "agylsh", "inglish")),
)
_WORD = re.compile(r"[^\W\d_]+")


def named_language(text: str | None) -> Language | None:
    """The one language a message names, or None (none, or more than one)."""
    found = {
        language
        for word in _WORD.findall((text or "").casefold())
        for language, stems in NAMED
        if word.startswith(stems)
    }
    return found.pop() if len(found) == 1 else None


def chosen_language(ctx: FlowContext) -> Language | None:
    answer = LANGUAGE_QUESTION.answer(ctx.input)
    return LANGUAGE_BY_CHOICE[answer] if answer else named_language(ctx.input.text)


def open_language(resume: dict[str, Any] | None) -> FlowResult:
    data = {"resume": resume} if resume else {}
    return FlowResult(replies=(LANGUAGE_QUESTION.reply(),), state=state(NAME, "choose", **data))


def _step(ctx: FlowContext) -> FlowResult:
    language = chosen_language(ctx)
    if language is None:
        return ask_again(ctx, LANGUAGE_QUESTION)
    # The bot renders replies in the person's language after applying the effects,
    # so the confirmation already comes in the new language.
    return FlowResult(
        replies=(Reply("language.changed"),), state=IDLE, effects=(SetLanguage(language),)
    )


FLOW = FlowSpec(name=NAME, questions={"choose": LANGUAGE_QUESTION}, step=_step)
