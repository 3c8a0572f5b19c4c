"""Words about suicide, self-harm, harming others or being in danger pre-empt everything.

The phrases live in reviewed data files, one list per language (`flows/data/crisis_*.txt`),
and every list is checked whatever language the person uses. Both the phrases and what
the person wrote are normalised the same way (case, spacing, punctuation, common
misspellings, Kazakh typed without Kazakh letters, Russian or Kazakh typed in Latin
letters), then phrases are matched on word boundaries. False alarms are acceptable;
misses are not.

A stranger (no enrolled person behind the address) gets the safety message too, but no
escalation: there is no person to escalate for and no officer to tell.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from flows.matching import KAZAKH_ON_RUSSIAN_KEYBOARD
from flows.types import (
    IDLE,
    Deployment,
    FlowContext,
    FlowResult,
    Localized,
    OpenEscalation,
    Reply,
)

DATA_DIR = Path(__file__).parent / "data"
# One list per language, `crisis_<language>.txt`: adding a language is adding its list.
LIST_PATTERN = "crisis_*.txt"
CATEGORIES = ("self_harm", "harm_others", "danger")

# Hotline names the catalogs know; a deployment naming another gets the generic one,
# never an error in the middle of a crisis.
HOTLINE_NAMES = {
    "hotline.emergency": Localized("hotline.emergency"),
    "hotline.trust_line": Localized("hotline.trust_line"),
    "hotline.generic": Localized("hotline.generic"),
}

_APOSTROPHES = re.compile(r"['’‘`ʼ´]")
_WORDS = re.compile(r"[^\W\d_]+|\d+")
_REPEATS = re.compile(r"(.)\1+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zäöüūğşıñç]")
# Inside a Cyrillic word, Latin letters are look-alikes typed by mistake (or on purpose).
_LOOKALIKES = str.maketrans("aeopcxykmthbi", "аеорсхукмтнви")
# Spelling variants people type, and Kazakh letters typed with a Russian keyboard.
_FOLD = str.maketrans(
    {
        **KAZAKH_ON_RUSSIAN_KEYBOARD,
        "й": "и",
        "ы": "и",
        "э": "е",
        "ь": None,
        "ъ": None,
    }
)
# Russian and Kazakh typed in Latin letters, read back as Cyrillic (longest first).
_TRANSLIT = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("ya", "я"),
    ("ia", "я"),
    ("ja", "я"),
    ("yu", "ю"),
    ("iu", "ю"),
    ("ju", "ю"),
    ("yo", "е"),
    ("jo", "е"),
    ("ye", "е"),
)
_TRANSLIT_ONE = str.maketrans(
    {
        "a": "а",
        "b": "б",
        "v": "в",
        "g": "г",
        "d": "д",
        "e": "е",
        "z": "з",
        "i": "и",
        "y": "и",
        "j": "ж",
        "k": "к",
        "l": "л",
        "m": "м",
        "n": "н",
        "o": "о",
        "p": "п",
        "r": "р",
        "s": "с",
        "t": "т",
        "u": "у",
        "f": "ф",
        "h": "х",
        "x": "х",
        "c": "ц",
        "w": "ш",
        "q": "к",
        "ä": "а",
        "ö": "о",
        "ü": "у",
        "ū": "у",
        "ğ": "г",
        "ş": "ш",
        "ı": "и",
        "ñ": "н",
        "ç": "ч",
    }
)
_TRANSLIT_PAIRS = re.compile("|".join(pair for pair, _ in _TRANSLIT))
_TRANSLIT_PAIR = dict(_TRANSLIT)
# Russian is written as heard: unstressed о/а and е/и/я are confused ("пакончу с сабой",
# "умиреть", "сибя"). Russian phrases are also compared with those vowels merged. (Not
# Kazakh ones: "алғым келеді", "I want to get", must not read as "өлгім келеді".)
_VOWELS = str.maketrans({"о": "а", "е": "и", "я": "а"})
PHONETIC_LANGUAGES = frozenset({"ru"})


def _word(word: str) -> str:
    if _CYRILLIC.search(word):
        word = word.translate(_LOOKALIKES)
    return _REPEATS.sub(r"\1", word.translate(_FOLD))


def normalize(text: str) -> str:
    """Words of `text` in the folded form phrases are compared in, joined by spaces."""
    folded = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(filter(None, map(_word, _WORDS.findall(folded))))


def _from_latin(word: str) -> str:
    if not _LATIN.search(word):
        return word
    cyrillic = _TRANSLIT_PAIRS.sub(lambda m: _TRANSLIT_PAIR[m.group(0)], word)
    cyrillic = cyrillic.translate(_TRANSLIT_ONE)
    return _word(cyrillic)


def _phonetic(normal: str) -> str:
    return _REPEATS.sub(r"\1", normal.translate(_VOWELS))


def _readings(text: str) -> tuple[list[str], list[str]]:
    """What the person wrote, padded for word matching: as written and as heard."""
    normal = normalize(text)
    latin_read = " ".join(map(_from_latin, normal.split()))
    written = [normal] if latin_read == normal else [normal, latin_read]
    return [f" {r} " for r in written], [f" {_phonetic(r)} " for r in written]


@lru_cache(maxsize=1)
def phrases() -> tuple[tuple[str, bool, bool, str, str], ...]:
    """(normalised phrase, is a stem, compared as heard, category, language) for every
    phrase of every list."""
    found: dict[tuple[str, bool, bool], tuple[str, str]] = {}
    for path in sorted(DATA_DIR.glob(LIST_PATTERN)):
        language = path.stem.removeprefix("crisis_")
        category = ""
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                category = line[1:-1]
                if category not in CATEGORIES:
                    raise ValueError(f"{path.name}: unknown category {category!r}")
                continue
            if not category:
                raise ValueError(f"{path.name}: phrase {line!r} before any [category]")
            phrase = normalize(line.removesuffix("*"))
            heard = language in PHONETIC_LANGUAGES
            if phrase:
                key = (_phonetic(phrase) if heard else phrase, line.endswith("*"), heard)
                found.setdefault(key, (category, language))
    return tuple((*key, *value) for key, value in found.items())


def detect(text: str | None) -> str | None:
    """The category of the first crisis phrase in `text`, or None."""
    found = match(text)
    return found[0] if found else None


def match(text: str | None) -> tuple[str, str] | None:
    """(category, language of the list) of the first crisis phrase in `text`, or None."""
    if not text or not text.strip():
        return None
    written, heard = _readings(text)
    for phrase, stem, phonetic, category, language in phrases():
        needle = f" {phrase}" if stem else f" {phrase} "
        if any(needle in reading for reading in (heard if phonetic else written)):
            return category, language
    return None


def hotline_lines(deployment: Deployment) -> tuple[Localized, ...]:
    """One line per configured hotline ("112 - emergency"); the deployment defaults when a
    deployment configured none."""
    hotlines = deployment.hotlines or Deployment().hotlines
    return tuple(
        Localized(
            "crisis.hotline",
            {
                "number": hotline.number,
                "name": HOTLINE_NAMES.get(hotline.name_key, HOTLINE_NAMES["hotline.generic"]),
            },
        )
        for hotline in hotlines
    )


def safety_reply(deployment: Deployment) -> Reply:
    return Reply("crisis.safety", {"hotlines": hotline_lines(deployment)})


def respond(ctx: FlowContext) -> FlowResult | None:
    """The safety message (and for a person, a critical escalation), or None."""
    if not ctx.input.readable:
        return None
    found = match(ctx.input.text)
    if found is None:
        return None
    category, written_in = found
    safety = safety_reply(ctx.deployment)
    if ctx.person is None:
        # A stranger's language is only guessed; when the words were in another of our
        # languages, say it in that one too.
        if written_in == ctx.language:
            return FlowResult(replies=(safety,), state=IDLE)
        again = Localized("crisis.safety", safety.args, written_in)
        also = Reply("crisis.in_language", {"text": again})
        return FlowResult(replies=(safety, also), state=IDLE)
    # The detail names the kind of words, never the words: the officer reads the
    # message itself in the conversation, where access to it is audited.
    return FlowResult(
        replies=(safety, Reply("crisis.officer_told")),
        state=IDLE,
        effects=(OpenEscalation(reason="crisis", severity="critical", detail=category),),
    )
