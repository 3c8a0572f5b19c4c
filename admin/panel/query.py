"""Filter values from a page's query string. A filter form's "any" sends an empty value,
which means no filter; a value that is not one of the choices is a 422 page."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from admin.panel.security import PanelError
from bot.services.persons import MAX_ID

E = TypeVar("E", bound=StrEnum)


def optional_choice(value: str | None, choices: type[E]) -> E | None:
    if not value:
        return None
    try:
        return choices(value)
    except ValueError:
        raise PanelError(422, "bad_filter") from None


def optional_id(value: str | None) -> int | None:
    """An id typed into a filter: empty is no filter; anything else must be a row id."""
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text[:12]) <= MAX_ID:
        raise PanelError(422, "bad_filter")
    return int(text)
