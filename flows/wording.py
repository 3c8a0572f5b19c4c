"""Words that must never appear in what the bot sends.

A phone's lock screen shows the first line of a message to anyone nearby. No text may
tell them why this person is being supported. The catalog tests check every text with
this list; flows check the few strings officers type that reach a person (an
appointment's place), and the back office can use `reveals` to refuse such input.
"""

from __future__ import annotations

from flows.understanding.lock_screen import stems_in

# Stems, matched case-insensitively anywhere in a text.
FORBIDDEN_STEMS: tuple[str, ...] = (
    "prison",
    "jail",
    "inmate",
    "probation",
    "parole",
    "convict",
    "sentence",
    "crime",
    "criminal",
    "offence",
    "offender",
    "extremis",
    "terror",
    "radical",
    "police",
    "court",
    "release",
    "тюрьм",
    "тюрем",
    "колони",
    "заключен",
    "заключён",
    "пробаци",
    "судим",
    "осужд",
    "преступ",
    "экстремис",
    "террор",
    "радикал",
    "полици",
    "освобожд",
    "срок",
    "надзор",
    "уголовно",
    "уии",
    "түрме",
    "сотт",
    "қылмыс",
    "қамау",
    "бас бостандығ",
)


def revealing_words(text: str) -> list[str]:
    """The forbidden stems found in `text` (empty when it is safe to send), also when
    disguised: a soft hyphen, a Cyrillic "о" in "prison", Latin letters (see
    flows/understanding/lock_screen.py)."""
    return stems_in(text, FORBIDDEN_STEMS)


def reveals(text: str) -> bool:
    return bool(revealing_words(text))
