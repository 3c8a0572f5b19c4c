"""Segment counting as carriers bill it: GSM-7 160/153, UCS-2 70/67, pairs never split."""

from __future__ import annotations

import pytest

from bot.channels.sms.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    count_segments,
    is_gsm7,
    non_gsm7_characters,
)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("д" * 70, "UCS-2", 70, 1),
        ("д" * 71, "UCS-2", 71, 2),
        ("д" * 134, "UCS-2", 134, 2),
        ("д" * 135, "UCS-2", 135, 3),
        # One Cyrillic letter turns an English text into UCS-2.
        ("a" * 69 + "я", "UCS-2", 70, 1),
        ("a" * 70 + "я", "UCS-2", 71, 2),
        # Extension characters cost two septets each.
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 150 + "{}[]", "GSM-7", 158, 1),
        # An emoji is a surrogate pair: two UTF-16 code units.
        ("🙂" * 35, "UCS-2", 70, 1),
        ("🙂" * 36, "UCS-2", 72, 2),
    ],
)
def test_counts(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_an_escape_pair_is_never_split_across_parts() -> None:
    # 152 septets, then "€" (escape + char) would straddle the 153-septet boundary, so it
    # starts part 2: naively 306 / 153 = 2 parts, but part 2 now needs 154 septets.
    text = "a" * 152 + "€" + "a" * 152
    count = count_segments(text)
    assert count.units == 306
    assert count.segments == 3


def test_a_surrogate_pair_is_never_split_across_parts() -> None:
    text = "я" * 66 + "🙂" + "я" * 66  # 134 code units
    count = count_segments(text)
    assert count.units == 134
    assert count.segments == 3  # the emoji cannot share part 1's last unit


def test_typographic_characters_are_not_gsm7() -> None:
    assert not is_gsm7("Hello — world")
    assert non_gsm7_characters("“Hello” — world’s") == {"“", "”", "—", "’"}
    assert count_segments("Hello — world").encoding == "UCS-2"


def test_the_tables_have_the_standard_sizes() -> None:
    # 128 positions in the basic table, one of them the escape code (not a character).
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


def test_line_breaks_are_gsm7() -> None:
    assert count_segments("Yes\nNo\r\n").encoding == "GSM-7"
