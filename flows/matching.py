"""Text normalisation, and matching what a person did to the choices offered.

An answer counts when it is the pressed button's id, the 1-based number of an
option, or an option's label or synonym in any of our languages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from flows.i18n import translate
from flows.types import LANGUAGES, Choice, UserInput
from flows.vocabulary import INTENT_WORDS, SYNONYMS

# People without a Kazakh keyboard type the nearest Russian letter (жок, комек, тил).
KAZAKH_ON_RUSSIAN_KEYBOARD = {
    "ё": "е",
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
}
# ...and Latin "i" for "і"; folding both sides the same way makes those match.
_FOLD = str.maketrans({**KAZAKH_ON_RUSSIAN_KEYBOARD, "i": "и"})
_TELEGRAM_COMMAND = re.compile(r"^(/\w+)@\w+")
_INVITE_CODE = re.compile(r"[A-Za-z0-9_-]{6,64}")
_START_COMMAND = re.compile(r"/start(?:@\w+)?(?:\s+(?P<payload>\S.*))?", re.IGNORECASE | re.DOTALL)
# Position numbers: "2", "2.", "#2". Longer digit runs are not menu positions (and a
# 10,000-digit int() would raise).
_MAX_POSITION_DIGITS = 3


def _is_edge_char(char: str) -> bool:
    category = unicodedata.category(char)
    return char.isspace() or category[0] in "PS" or category in ("Cc", "Cf")


def normalize(text: str | None) -> str:
    """Fold case, spelling variants, spacing and surrounding punctuation away."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    folded = _TELEGRAM_COMMAND.sub(r"\1", folded)
    folded = " ".join(folded.split())
    start, end = 0, len(folded)
    while start < end and _is_edge_char(folded[start]):
        start += 1
    while end > start and _is_edge_char(folded[end - 1]):
        end -= 1
    return folded[start:end]


@lru_cache(maxsize=256)
def phrases(label_key: str) -> frozenset[str]:
    """Everything that selects the option labelled `label_key`, normalised."""
    words = [translate(label_key, language) for language in LANGUAGES]
    words.extend(SYNONYMS.get(label_key, ()))
    return frozenset(filter(None, map(normalize, words)))


@lru_cache(maxsize=1)
def _intent_index() -> dict[str, str]:
    return {normalize(word): intent for intent, words in INTENT_WORDS.items() for word in words}


def match_intent(user_input: UserInput) -> str | None:
    """The global intent the person typed (help, menu, language, privacy), if any."""
    if user_input.choice is not None and user_input.text is None:
        return None
    return _intent_index().get(normalize(user_input.text))


def match_choice(user_input: UserInput, choices: Sequence[Choice]) -> Choice | None:
    if user_input.choice is not None:
        for choice in choices:
            if choice.id == user_input.choice:
                return choice
    text = normalize(user_input.text)
    if not text:
        return None
    if text.isdecimal() and len(text) <= _MAX_POSITION_DIGITS:
        position = int(text)
        return choices[position - 1] if 1 <= position <= len(choices) else None
    for choice in choices:
        # Labels with arguments are rare and differ per call, so they skip the cache.
        candidates = _phrases_with_args(choice) if choice.args else phrases(choice.key)
        if text in candidates:
            return choice
    return _yes_or_no(user_input.text or "", choices)


# A yes/no question answered in the person's own words ("да, согласен", "иә келісемін",
# "yes I agree", "нет, не надо"): the language layer's answer concepts, no before yes.
_ANSWER_CONCEPTS = (("answer.no", "choice.no"), ("answer.yes", "choice.yes"))


def _yes_or_no(text: str, choices: Sequence[Choice]) -> Choice | None:
    by_key = {choice.key: choice for choice in choices}
    if "choice.yes" not in by_key or "choice.no" not in by_key:
        return None
    # Imported here: the language layer itself reads this module's keyboard tables.
    from flows.understanding import understand

    answers = understand(text).answers
    for concept, key in _ANSWER_CONCEPTS:
        if concept in answers:
            return by_key[key]
    return None


def _phrases_with_args(choice: Choice) -> frozenset[str]:
    words = [translate(choice.key, language, **choice.args) for language in LANGUAGES]
    words.extend(SYNONYMS.get(choice.key, ()))
    return frozenset(filter(None, map(normalize, words)))


def extract_invite_code(text: str | None) -> str | None:
    """The invite code in a Telegram deep link (`/start CODE`) or a message that is
    only a code; None for anything else."""
    if text is None:
        return None
    candidate = text.strip()
    start = _START_COMMAND.fullmatch(candidate)
    if start is not None:
        candidate = (start.group("payload") or "").strip()
    return candidate if _INVITE_CODE.fullmatch(candidate) else None
