"""Words that must not reach a lock screen, found however they are disguised.

`flows.wording.FORBIDDEN_STEMS` is the list; this finds its stems through soft hyphens
and zero-width characters ("тюр\u00adьма"), Cyrillic look-alikes in Latin words and the
reverse ("prisоn" with a Cyrillic о), Kazakh typed without Kazakh letters ("кылмыс"),
and Russian typed in Latin letters ("tyurma").
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.understanding.normalise import clean, letters
from flows.wording import FORBIDDEN_STEMS

_WORDS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _stems() -> tuple[tuple[str, str, str], ...]:
    """(stem as listed, folded as written, folded Cyrillic reading)."""
    folded = []
    for stem in FORBIDDEN_STEMS:
        pieces = [letters(word) for word in _WORDS.findall(clean(stem))]
        written = " ".join(p[0] for p in pieces)
        cyrillic = " ".join(p[1] for p in pieces)
        folded.append((stem, written, cyrillic))
    return tuple(folded)


def lock_screen_words(text: str | None) -> list[str]:
    """The forbidden stems (as listed in flows/wording.py) that `text` contains, in any
    of our languages and however disguised; empty when it is safe to show."""
    if not text:
        return []
    pieces = [letters(word) for word in _WORDS.findall(clean(text))]
    written = " " + " ".join(p[0] for p in pieces)
    cyrillic = " " + " ".join(p[1] for p in pieces)
    return [
        stem
        for stem, stem_written, stem_cyrillic in _stems()
        if stem_written in written or stem_cyrillic in cyrillic
    ]
