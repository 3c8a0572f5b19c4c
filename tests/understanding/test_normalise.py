"""The normaliser: how people write is folded so that a rule needs one spelling."""

from __future__ import annotations

import pytest

from flows.understanding import normalise, read
from flows.understanding.normalise import EMOJI, PUNCTUATION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ПРИВЕТ", "привет"),
        ("не\u00adхочу", "не хочу"),  # soft hyphen, then fused negation
        ("ра\u200bбота", "работа"),  # zero-width space
        ("\u200fработа\u200e", "работа"),  # direction marks
        ("рaбoтa", "работа"),  # Latin a and o in a Cyrillic word
        ("kіll", "kil"),  # Cyrillic і in a Latin word (and ll collapsed)
        ("ууубить", "убит"),  # repeated letters, ь dropped
        ("нехочу", "не хочу"),
        ("неумею", "не умею"),
        ("немогу", "не могу"),
        ("негде", "негде"),  # a word of its own, not a negation
        ("неделя", "неделя"),
        ("жұмыс", "жумис"),  # Kazakh letters fold to the Russian keyboard's
        ("жумыс", "жумис"),
        ("don't", "do not"),
        ("I'm", "i am"),
        ("wanna", "want to"),
        ("ｐｒｉｖｅｔ", "privet"),  # NFKC: full-width letters
        ("раб0та", "работа"),  # a digit for a letter
        ("xo4y", "хочу"),
    ],
)
def test_words_are_folded(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "cyrillic", "heard"),
    [
        ("ne hochu zhit", "не хочу жит", "ни хачу жит"),
        ("nehochu", "не хочу", "ни хачу"),
        ("olgim keledi", "олгим келеди", None),
        ("jumys kerek", "жумис керек", None),  # Kazakh: j is ж
        ("ja ne hochu", None, "а ни хачу"),  # Russian: ja is я
    ],
)
def test_latin_letters_are_read_back(text: str, cyrillic: str | None, heard: str | None) -> None:
    words = read(text).words
    if cyrillic is not None:
        assert " ".join(w.cyrillic for w in words) == cyrillic
    if heard is not None:
        assert " ".join(w.heard for w in words) == heard


def test_russian_is_also_read_as_heard() -> None:
    assert [w.heard for w in read("пакончу с сабой").words] == [
        w.heard for w in read("покончу с собой").words
    ]


def test_punctuation_and_emoji_are_tokens_of_their_own() -> None:
    tokens = read("плохо 😢!!! 👍🏽").tokens
    assert [(t.kind, t.written) for t in tokens if t.kind != "word"] == [
        (EMOJI, "😢"),
        (PUNCTUATION, "!"),
        (PUNCTUATION, "!"),
        (PUNCTUATION, "!"),
        (EMOJI, "👍"),  # the skin tone is dropped
    ]
    assert [t.written for t in read("плохо 😢!!!").words] == ["плохо", "😢"]


def test_offsets_point_into_the_normalised_text() -> None:
    reading = read("Мне НУЖНА работа")
    assert [reading.text[t.start : t.end] for t in reading.tokens] == ["мне", "нужна", "работа"]


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u00ad", "123", "?!"])
def test_nothing_to_read_reads_as_no_words(text: str) -> None:
    assert [t for t in read(text).words if t.kind == "word"] == []
