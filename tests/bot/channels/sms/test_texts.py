"""Every text the bot can send, rendered as the SMS it becomes, fits its segment budget:
2 segments in Russian and Kazakh, 1 in English (where possible; exceptions below).

A question is rendered with the choices it is sent with (found in flows/, so a new question
is checked without anyone listing it here), as the numbered list the SMS channel adds.
Placeholders are filled with typical values; a text whose argument can be long (an
organisation's name) is checked at a typical length, not the worst case.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import string
from collections import defaultdict
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

import flows
from bot.channels.sms.render import render_sms
from bot.channels.sms.segments import count_segments, non_gsm7_characters
from flows.crisis import hotline_lines
from flows.i18n import catalog_keys, catalog_path, translate
from flows.steps import Question
from flows.types import LANGUAGES, Choice, Deployment, Reply

BUDGET = {"ru": 2, "kk": 2, "en": 1}
# English texts allowed a second segment, and why.
EN_TWO_SEGMENTS = {
    # The options name each language in its own script (Русский, Қазақша): one Cyrillic
    # character makes the whole SMS UCS-2 (70 units), and the welcome line must come first.
    "enroll.welcome": "language names in Cyrillic force UCS-2",
}

# Typical values for placeholders, per script: what an argument usually looks like.
SAMPLES: dict[str, dict[str, object]] = {
    "latin": {
        "code": "Ab3dEf9hKk0123456789_-xY",
        "name": "Aigerim",
        "organisation": "Jana Jol Centre",
        "position": "Welder",
        "count": "3",
        "about": "Day shifts, Karaganda",
        "when": "12 March, 10:00",
        "kind": "Meeting",
        "place": "Abai St 10, office 5",
        "number": "112",
        "contacts": "\n".join(["Umit Shelter: +77012345678"] * 3),
    },
    "cyrillic": {
        "code": "Ab3dEf9hKk0123456789_-xY",
        "name": "Айгерім",
        "organisation": "Центр «Жаңа жол»",
        "position": "Сварщик",
        "count": "3",
        "about": "Дневные смены, Караганда",
        "when": "12 марта, 10:00",
        "kind": "Встреча",
        "place": "ул. Абая 10, каб. 5",
        "number": "112",
        "contacts": "\n".join(["Приют «Үміт»: +77012345678"] * 3),  # up to three shelters
    },
}
for _samples in SAMPLES.values():
    # The safety message is checked with the hotlines a deployment has by default.
    _samples["hotlines"] = hotline_lines(Deployment())
DEFAULT_SAMPLE = {"latin": "Sample text", "cyrillic": "Пример текста"}


def _flow_modules() -> list[ModuleType]:
    path = Path(flows.__file__).parent
    return [
        importlib.import_module(f"flows.{info.name}")
        for info in pkgutil.iter_modules([str(path)])
        if not info.name.startswith("_")
    ]


def _walk(value: object, depth: int = 0):  # type: ignore[no-untyped-def]
    """Questions and replies inside module-level values (tuples, dicts of them)."""
    if isinstance(value, Question | Reply):
        yield value
    elif depth < 3 and isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from _walk(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _walk(item, depth + 1)


@cache
def choices_by_key() -> dict[str, list[tuple[Choice, ...]]]:
    """For each message key sent as a question, the choice sets it is sent with."""
    found: dict[str, dict[tuple[str, ...], tuple[Choice, ...]]] = defaultdict(dict)
    for module in _flow_modules():
        namespace = vars(module)
        for value in namespace.values():
            for item in _walk(value):
                if item.choices:
                    found[item.key][tuple(c.id for c in item.choices)] = tuple(item.choices)
        # Replies built inside functions: Reply("key", ..., choices=NAME).
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Reply"):
                continue
            key = node.args[0] if node.args else None
            named = [kw.value for kw in node.keywords if kw.arg == "choices"]
            if not (isinstance(key, ast.Constant) and named):
                continue
            choices = namespace.get(named[0].id) if isinstance(named[0], ast.Name) else None
            # Choices built at run time (partners' names) are data, not catalog texts: only
            # module-level choice sets can be checked here.
            if isinstance(choices, tuple) and all(isinstance(c, Choice) for c in choices):
                found[key.value][tuple(c.id for c in choices)] = choices
    return {key: list(variants.values()) for key, variants in found.items()}


def _args(raw: str, script: str) -> dict[str, object]:
    names = {name for _, name, _, _ in string.Formatter().parse(raw) if name}
    samples = SAMPLES[script]
    return {name: samples.get(name, DEFAULT_SAMPLE[script]) for name in names}


@cache
def _raw_catalog(language: str) -> dict[str, str]:
    # The texts as written, to know which arguments each one takes.
    with catalog_path(language).open("rb") as fileobj:
        return {str(m.id): str(m.string) for m in read_po(fileobj) if m.id}


def _choice_labels(choices: tuple[Choice, ...], language: str) -> tuple[tuple[str, str], ...]:
    return tuple((choice.id, translate(choice.key, language, **choice.args)) for choice in choices)


def sms_cases() -> list[tuple[str, str, tuple[Choice, ...]]]:
    cases = []
    for language in LANGUAGES:
        for key in sorted(catalog_keys(language)):
            for choices in choices_by_key().get(key) or [()]:
                cases.append((language, key, choices))
    return cases


def render(language: str, key: str, choices: tuple[Choice, ...]) -> str:
    script = "latin" if language == "en" else "cyrillic"
    text = translate(key, language, **_args(_raw_catalog(language)[key], script))
    return render_sms(text, _choice_labels(choices, language), language)


@pytest.mark.parametrize(
    ("language", "key", "choices"),
    sms_cases(),
    ids=[f"{lang}-{key}-{len(ch)}" for lang, key, ch in sms_cases()],
)
def test_every_sms_fits_its_segment_budget(
    language: str, key: str, choices: tuple[Choice, ...]
) -> None:
    sms = render(language, key, choices)
    budget = BUDGET[language]
    if language == "en" and key in EN_TWO_SEGMENTS:
        budget = 2
    count = count_segments(sms)
    assert count.segments <= budget, (
        f"{language} {key}: {count.segments} segments ({count.encoding}, {count.units} units)"
        f" > {budget}; shorten the text in every language:\n{sms}"
    )


@pytest.mark.parametrize("key", sorted(catalog_keys("en")))
def test_english_texts_stay_gsm7(key: str) -> None:
    # A typographic quote or dash would silently switch an English SMS to UCS-2 and
    # more than double its cost; the only non-GSM characters allowed are language names.
    text = translate(key, "en", **_args(_raw_catalog("en")[key], "latin"))
    assert not non_gsm7_characters(text) - set("РусскийҚазақша"), (key, text)


def test_questions_are_found_with_their_choices() -> None:
    found = choices_by_key()
    # A question object, a reply built in a function, and a choice set in a dict.
    assert any(len(choices) == 2 for choices in found["consent.ask"])
    assert any(len(choices) == 3 for choices in found["enroll.welcome"])
    assert any(len(choices) == 5 for choices in found["checkin.ask_mood"])


def test_the_numbered_list_is_what_is_measured() -> None:
    sms = render("ru", "consent.ask", choices_by_key()["consent.ask"][0])
    assert sms.endswith("\n1 Да\n2 Нет\nОтветьте 1 или 2")
