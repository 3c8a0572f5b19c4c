"""Finding listed stems however they are disguised: the lock-screen word check.

`flows.wording.revealing_words` uses this with its list of words no message may carry.
It sees through soft hyphens and zero-width characters ("тюр\u00adьма"), Cyrillic
look-alikes in Latin words and the reverse ("prisоn" with a Cyrillic о), full-width
letters, Kazakh typed without Kazakh letters ("кылмыс"), and Russian typed in Latin
letters ("tyurma"). Stems match anywhere in a word, as in the plain list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from flows.understanding.normalise import clean, letters

_WORDS = re.compile(r"[^\W\d_]+")


def _forms(text: str) -> tuple[str, str]:
    """`text` folded as written, and read back into Cyrillic, words joined by spaces."""
    pieces = [letters(word) for word in _WORDS.findall(clean(text))]
    return " ".join(p[0] for p in pieces), " ".join(p[1] for p in pieces)


@lru_cache(maxsize=8)
def _folded(stems: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((stem, *_forms(stem)) for stem in stems)


def stems_in(text: str | None, stems: Sequence[str]) -> list[str]:
    """The `stems` (as listed) that `text` contains, however disguised."""
    if not text:
        return []
    written, cyrillic = _forms(text)
    written, cyrillic = f" {written}", f" {cyrillic}"
    return [
        stem
        for stem, stem_written, stem_cyrillic in _folded(tuple(stems))
        if stem_written in written or stem_cyrillic in cyrillic
    ]
