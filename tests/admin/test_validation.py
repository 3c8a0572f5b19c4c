"""The shared input types: what each accepts and refuses, and that a refusal never
repeats the value."""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from admin.validation import (
    AwareDatetime,
    Cursor,
    DbId,
    FiniteFloat,
    SafeLine,
    SafeName,
    SafeText,
)

name = TypeAdapter(SafeName)
line = TypeAdapter(SafeLine)
text = TypeAdapter(SafeText)


def _refused(adapter: TypeAdapter[Any], value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    return str(caught.value.errors(include_input=False, include_url=False))


@pytest.mark.parametrize(
    "value",
    [
        "Ai\ud800dos",  # a lone surrogate
        "Ai\x00dos",  # NUL
        "\x1b[2J\x1b[31mAidos",  # terminal escapes
        "Aidos\u202eexe.txt",  # right-to-left override
        "Ai\u200bdos",  # zero-width space
        "Ai\ufeffdos",  # byte order mark
        "Aidos\nSerikov",
        "Aidos\tSerikov",
        "Aidos\u2028Serikov",
        "\x9b31m",  # C1 control (CSI)
    ],
)
def test_a_name_refuses_control_format_and_invalid_characters(value):
    message = _refused(name, value)
    assert value not in message and "Aidos" not in message


def test_a_name_is_stripped_bounded_and_keeps_real_names():
    for value in ("Айдос Серіков", "Ӑлия-Нұр О'Брайен", "José María"):
        assert name.validate_python(f"  {value} ") == value
    _refused(name, "   ")
    _refused(name, "x" * 121)
    _refused(name, 42)  # not coerced to a string


def test_multiline_text_allows_newlines_and_tabs_but_no_other_controls():
    assert text.validate_python("Line one\n\tline two 🙂\u200d") == "Line one\n\tline two 🙂\u200d"
    for value in ("a\x00b", "a\x07b", "a\u202eb", "a\u2066b", "a\ud800b"):
        _refused(text, value)
    _refused(text, "x" * 1001)
    assert line.validate_python("Office 4, Abay st. 10") == "Office 4, Abay st. 10"
    _refused(line, "Office\n4")


def test_a_smaller_length_can_be_added_to_a_shared_type():
    short = TypeAdapter(Annotated[SafeText, Field(max_length=10)])
    assert short.validate_python("ok") == "ok"
    _refused(short, "x" * 11)
    _refused(short, "a\x00")


_BAD = {"Cs", "Cc", "Cf", "Zl", "Zp"}


@given(st.text(max_size=60))
def test_whatever_a_name_accepts_has_no_control_or_format_character(value):
    try:
        accepted = name.validate_python(value)
    except ValidationError:
        return
    assert accepted and len(accepted) <= 120
    assert not any(unicodedata.category(c) in _BAD for c in accepted)
    accepted.encode("utf-8")  # storable and loggable


@pytest.mark.parametrize("value", [0, -1, 2**31, 2**63, 10**30, "1e3", 1.5, True, None])
def test_ids_stay_in_the_integer_column_range(value):
    _refused(TypeAdapter(DbId), value)


def test_ids_and_cursors_at_the_edges():
    assert TypeAdapter(DbId).validate_python(2**31 - 1) == 2**31 - 1
    assert TypeAdapter(DbId).validate_python("7") == 7
    assert TypeAdapter(Cursor).validate_python(0) == 0
    _refused(TypeAdapter(Cursor), 2**31)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "NaN", "inf"])
def test_finite_floats_refuse_nan_and_infinities(value):
    _refused(TypeAdapter(FiniteFloat), value)


aware = TypeAdapter(AwareDatetime)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+05:00",  # overflows converted to UTC
        "9999-12-31T23:59:59-05:00",
        "9999-12-31T23:00:00+00:00",  # no overflow, but any lead time added to it would
        "1800-01-01T00:00:00Z",
        "2026-03-01T09:00:00",  # naive
    ],
)
def test_aware_datetimes_refuse_naive_overflowing_and_far_times(value):
    _refused(aware, value)


def test_aware_datetimes_are_kept_as_utc():
    moment = aware.validate_python("2026-03-01T09:00:00+05:00")
    assert moment == datetime(2026, 3, 1, 4, tzinfo=UTC) and moment.utcoffset() == timedelta(0)
    local = datetime(2026, 3, 1, 9, tzinfo=timezone(timedelta(hours=5)))
    assert aware.validate_python(local).hour == 4
