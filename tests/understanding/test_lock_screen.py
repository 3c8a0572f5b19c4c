"""The lock-screen word check sees through disguises that a plain substring test misses."""

from __future__ import annotations

import pytest

from flows.understanding import lock_screen_words
from flows.wording import reveals


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("Пробация, каб. 5", "пробаци"),
        ("Про\u00adбация, каб. 5", "пробаци"),  # soft hyphen
        ("Проб\u200bация", "пробаци"),  # zero-width space
        ("prisоn visit", "prison"),  # Cyrillic о
        ("Prоbation office", "probation"),
        ("тюрьмa", "тюрьм"),  # Latin a
        ("кылмыс", "қылмыс"),  # Kazakh typed without Kazakh letters
        ("tyurma", "тюрьм"),  # Russian in Latin letters
        ("ＰＲＩＳＯＮ", "prison"),  # full width
    ],
)
def test_disguised_words_are_found(text: str, stem: str) -> None:
    assert stem in lock_screen_words(text)


def test_the_plain_check_misses_what_this_one_finds() -> None:
    assert not reveals("Про\u00adбация")
    assert lock_screen_words("Про\u00adбация")


@pytest.mark.parametrize("text", ["ул. Абая 10, каб. 5", "Центр занятости", "", None])
def test_ordinary_places_are_safe(text: str | None) -> None:
    assert lock_screen_words(text) == []
