"""Small numbers hidden: a count under 5, and any rate, average or median computed from
fewer than 5 cases, is shown as "<5". A small region's report cannot point at a person.

Rule, applied everywhere (API, CSV, panel):
- a count of 0 to 4 becomes "<5";
- a rate is shown only when its numerator, its denominator and the rest (denominator
  minus numerator, unless that is 0) are each at least 5: otherwise a hidden count could
  be worked back from it;
- a median or an average is shown only when it is taken over at least 5 cases.
"""

from __future__ import annotations

THRESHOLD = 5
HIDDEN = "<5"

Shown = int | float | str | None


def count(n: int) -> int | str:
    return n if n >= THRESHOLD else HIDDEN


def rate(numerator: int, denominator: int) -> float | str | None:
    if denominator == 0:
        return None
    rest = denominator - numerator
    if numerator < THRESHOLD or denominator < THRESHOLD or 0 < rest < THRESHOLD:
        return HIDDEN
    return round(numerator / denominator, 3)


def over(value: float | None, cases: int, digits: int = 1) -> float | str | None:
    """A median or average over `cases` cases."""
    if cases == 0 or value is None:
        return None
    if cases < THRESHOLD:
        return HIDDEN
    return round(value, digits)
