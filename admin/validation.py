"""Shared types for what the staff API accepts: hostile values are refused at validation.

Use these in every request schema, query parameter and path parameter instead of bare
`str`, `int`, `float` or `datetime`; a refused value answers 422 with a message that says
what is wrong and never repeats the value (see `bot/core/errors.py`).

Text (surrounding whitespace is stripped; all refuse lone surrogates such as ``\\ud800``,
which cannot be stored or logged as UTF-8):

- `SafeName` — a person's or organisation's name, 1-120 characters, surrounding whitespace
  stripped. Refuses every control character (NUL, ESC and terminal escapes, newlines, tabs),
  every Unicode format character (U+202E right-to-left override, zero-width space and
  joiners, byte order mark) and the line/paragraph separators: a name is shown to partners
  and on lock screens and must read as what it is.
- `SafeLine` — one line of text up to 300 characters (a place, a title, a search term):
  no control characters, no bidirectional overrides or isolates, no line separators.
- `SafeText` — multi-line text up to 1,000 characters (a note, a message): newlines and
  tabs are allowed; other control characters and bidirectional overrides are not.
- Another length: the same rule with your own constraints, e.g.
  ``Body = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), TextChars]``
  (`NameChars`, `LineChars`, `TextChars`). Wrapping `SafeText` in a larger ``max_length``
  does not lift its 1,000; a smaller one adds to it: ``Annotated[SafeText, Field(max_length=200)]``.

Numbers:

- `DbId` — an id of a row, 1..2**31-1 (ids are INTEGER columns; PostgreSQL refuses more,
  and SQLite overflows at 2**63). For path ids: ``person_id: DbId``; for body fields:
  ``officer_id: DbId | None = None``.
- `Cursor` — a keyset cursor (`after`), 0..2**31-1: ``after: Cursor | None = None``.
- `FiniteFloat` — a float that is not NaN or an infinity.

Times:

- `AwareDatetime` — a moment with its UTC offset (a naive time is refused with a hint),
  converted to UTC; refused when the conversion overflows (year 1 with a positive offset,
  year 9999 with a negative one) or falls outside `EARLIEST`..`LATEST`, so that adding a
  reminder's lead time to it never overflows later.

Pydantic's own checks already refuse wrong types (a number for a string, a string for an
id); unknown fields are refused by the schemas' ``extra="forbid"``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from bot.services.persons import MAX_ID

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)
AWARE_HINT = "give a time zone, e.g. 2026-03-01T09:00:00+05:00 or 2026-03-01T04:00:00Z"

# Bidirectional embeddings, overrides and isolates, and the implicit direction marks: they
# make text display in another order than it is stored ("exe.txt" shown for "txt.exe").
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_SEPARATORS = frozenset("\u2028\u2029\u0085")
MULTILINE_CONTROLS = frozenset("\n\t\r")


def _refusal(text: str, *, allowed_controls: frozenset[str], format_chars: bool) -> str | None:
    """Why `text` is refused (None when it is acceptable). Names the kind, never the value."""
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return "contains an invalid character (a lone surrogate)"
        if category == "Cc" and char not in allowed_controls:
            return "contains a control character (NUL, escape or similar)"
        if char in BIDI_CONTROLS:
            return "contains a text-direction control character (such as U+202E)"
        if char in LINE_SEPARATORS and "\n" not in allowed_controls:
            return "must be a single line"
        if category == "Cf" and not format_chars:
            return "contains an invisible formatting character (such as a zero-width space)"
    return None


def _checker(*, allowed_controls: frozenset[str], format_chars: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        reason = _refusal(value, allowed_controls=allowed_controls, format_chars=format_chars)
        if reason is not None:
            raise ValueError(reason)
        return value

    return check


_check_name = _checker(allowed_controls=frozenset(), format_chars=False)
_check_line = _checker(allowed_controls=frozenset(), format_chars=True)
_check_text = _checker(allowed_controls=MULTILINE_CONTROLS, format_chars=True)


# The character rules alone, to build a text type of another length (see the docstring).
NameChars = AfterValidator(_check_name)
LineChars = AfterValidator(_check_line)
TextChars = AfterValidator(_check_text)

SafeName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), NameChars
]
SafeLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), LineChars]
SafeText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), TextChars]
# A short code-like term used as a filter (an audit action, a reason): one line, 1-60.
SafeTerm = Annotated[str, StringConstraints(min_length=1, max_length=60), LineChars]


def _not_a_boolean(value: object) -> object:
    # Pydantic reads true as 1; as an id it is a mistake, not a record.
    if isinstance(value, bool):
        raise ValueError("must be an integer id, not true or false")
    return value


DbId = Annotated[
    int,
    BeforeValidator(_not_a_boolean),
    Field(ge=1, le=MAX_ID, description="an id, 1..2147483647"),
]
Cursor = Annotated[
    int,
    BeforeValidator(_not_a_boolean),
    Field(ge=0, le=MAX_ID, description="the `next_after` of the previous page"),
]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(AWARE_HINT)
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year}")
    return moment


AwareDatetime = Annotated[datetime, AfterValidator(_aware_utc)]
