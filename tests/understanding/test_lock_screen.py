"""The lock-screen word check (flows.wording.revealing_words, on the language layer's
stems_in) sees through disguises that a plain substring test misses."""

from __future__ import annotations

import pytest

import flows
from flows.render import render_reply
from flows.types import IDLE, AppointmentInfo
from flows.understanding import stems_in
from flows.wording import revealing_words, reveals
from tests.flows.states import context


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
    assert stem in revealing_words(text)
    assert reveals(text)


def test_any_list_of_stems_can_be_checked() -> None:
    assert stems_in("Ра\u00adбота рядом", ("работ", "жиль")) == ["работ"]


@pytest.mark.parametrize("text", ["ул. Абая 10, каб. 5", "Центр занятости", "", None])
def test_ordinary_places_are_safe(text: str | None) -> None:
    assert stems_in(text, ("prison", "пробаци", "тюрьм")) == []
    assert revealing_words(text or "") == []


@pytest.mark.parametrize("place", ["Про\u00adбация, каб. 4", "Prоbation, room 4", "Тюрьмa 2"])
def test_a_reminder_never_shows_a_disguised_place(place: str) -> None:
    info = AppointmentInfo(5, "meeting", place, "29.11 10:00", 2)
    reply = flows.start_appointment_reminder(context(IDLE), info).replies[0]
    text = render_reply(reply, "ru").text
    assert "уточните у куратора" in text
    assert revealing_words(text) == []
