"""Free text a caseworker writes (notes, messages to a person): bounded and printable."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Line breaks and tabs belong in a note; other control and format characters (NUL, U+202E,
# terminal escapes, lone surrogates) would be stored and shown to someone later.
_ALLOWED_CONTROLS = frozenset("\n\r\t")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _printable(value: str) -> str:
    for char in value:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ValueError("contains a control or format character")
    return value


def printable_text(max_length: int) -> object:
    """A str type: trimmed, 1..max_length characters, no control or format characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_printable),
    ]
