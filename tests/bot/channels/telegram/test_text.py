"""Cutting long texts at Telegram's limit, escaping, and keyboards."""

from __future__ import annotations

import pytest

from bot.channels.telegram.text import (
    CallbackDataTooLong,
    keyboard,
    split_text,
    to_html,
    utf16_len,
)


def test_short_text_is_one_part_unchanged():
    assert split_text("Сәлем! Қалыңыз қалай?") == ["Сәлем! Қалыңыз қалай?"]


def test_paragraph_breaks_are_preferred():
    first, second = "А" * 70, "Б" * 50
    assert split_text(f"{first}\n\n{second}", limit=100) == [first, second]


def test_sentence_ends_come_next_when_there_is_no_late_paragraph():
    text = "Первое предложение здесь. " * 3 + "Хвост без точки " * 3
    parts = split_text(text, limit=80)
    assert all(utf16_len(p) <= 80 for p in parts)
    assert parts[0].endswith(".")
    assert " ".join(parts) == " ".join(text.split())


def test_a_run_without_spaces_is_cut_hard():
    parts = split_text("x" * 250, limit=100)
    assert [len(p) for p in parts] == [100, 100, 50]


def test_emoji_count_twice_as_telegram_counts_them():
    text = "🙂" * 60  # 120 UTF-16 units
    parts = split_text(text, limit=100)
    assert [utf16_len(p) for p in parts] == [100, 20]
    assert "".join(parts) == text


@pytest.mark.parametrize("size", [4096, 4097, 9000, 20000])
def test_every_part_fits_and_nothing_is_lost(size):
    words = ("Жұмыс іздеу оңай емес, бірақ біз көмектесеміз. " * 1000)[:size]
    parts = split_text(words)
    assert all(1 <= utf16_len(p) <= 4096 for p in parts)
    assert " ".join(parts).split() == words.split()


def test_html_is_escaped_but_quotes_stay_readable():
    assert to_html('<a href="x">Tom & "Jerry"</a>') == (
        '&lt;a href="x"&gt;Tom &amp; "Jerry"&lt;/a&gt;'
    )


def test_no_choices_no_keyboard_and_empty_ids_are_refused():
    assert keyboard(()) is None
    with pytest.raises(CallbackDataTooLong):
        keyboard((("", "Empty"),))
