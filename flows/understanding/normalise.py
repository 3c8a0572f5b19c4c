"""Text as the language layer reads it: words folded to comparable forms, punctuation and
emoji kept aside as tokens of their own.

People write with typos, look-alike letters, soft hyphens, in Latin letters, on a
Russian keyboard without Kazakh letters, fused with their negation ("нехочу"). Every
word is folded once here, and the rules (`flows/data/*.txt`) are folded the same way,
so a rule needs no line per spelling. Each word has three readings, one per way rules
are compared: as written (English rules), read back into Cyrillic when typed in Latin
letters (Kazakh rules), and also as heard, with the unstressed vowels Russians confuse
merged (Russian rules: "пакончу с сабой", "умиреть").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flows.matching import KAZAKH_ON_RUSSIAN_KEYBOARD

# Format characters (soft hyphen, zero-width space and joiner, direction marks, BOM),
# variation selectors and skin tones: invisible, and enough to split a word in two.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u20e3\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001f3fb-\U0001f3ff"
    "\U000e0000-\U000e0fff]"
)
_APOSTROPHES = re.compile(r"(?<=\w)['’‘`ʼ´](?=\w)")
# Digits standing for letters inside a word ("xo4y", "раб0та"): 4 is ч, 3 з, 6 б, 0 о.
_DIGIT_LETTERS = re.compile(r"(?<=[^\W\d_])[0346]|[0346](?=[^\W\d_])")
_DIGIT_LETTER = {"0": "о", "3": "з", "4": "ч", "6": "б"}
_TOKENS = re.compile(r"(?P<word>[^\W\d_]+)|(?P<number>\d+)|(?P<other>\S)")
_REPEATS = re.compile(r"(.)\1+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zäöüūğşıñçé]")

# Letters that look alike in both scripts (after casefolding). Inside a word written
# mostly in one script, the other script's look-alikes were typed by mistake, or on
# purpose to get past a filter.
_TO_CYRILLIC = str.maketrans("aeopcxykmthbi", "аеорсхукмтнви")
_TO_LATIN = str.maketrans("аеорсхукмтнвіјѕһ", "aeopcxykmthbijsh")
_CYRILLIC_LOOKALIKES = frozenset("аеорсхукмтнвіјѕһ")
_LATIN_LOOKALIKES = frozenset("aeopcxykmthbi")

# Spelling variants folded in Cyrillic words: Kazakh letters typed on a Russian keyboard
# (the table flows/matching.py matches buttons with), й/и, ы/и, э/е, and the hard and
# soft signs people leave out.
_FOLD = str.maketrans(
    {**KAZAKH_ON_RUSSIAN_KEYBOARD, "й": "и", "ы": "и", "э": "е", "ь": None, "ъ": None}
)
_KEYBOARD = str.maketrans({**KAZAKH_ON_RUSSIAN_KEYBOARD, "ь": None, "ъ": None})
# Russian and Kazakh typed in Latin letters, read back as Cyrillic (pairs first).
_TRANSLIT_PAIRS = {
    "shch": "щ",
    "sch": "щ",
    "zh": "ж",
    "kh": "х",
    "ch": "ч",
    "sh": "ш",
    "ts": "ц",
    "ya": "я",
    "ia": "я",
    "ja": "я",
    "yu": "ю",
    "iu": "ю",
    "ju": "ю",
    "yo": "е",
    "jo": "е",
    "ye": "е",
}
_TRANSLIT_PAIR = re.compile("|".join(sorted(_TRANSLIT_PAIRS, key=len, reverse=True)))
# In Kazakh typed in Latin letters, j is ж before any vowel ("jumys", "jaksy", "jok").
_KAZAKH_PAIRS = {pair: letter for pair, letter in _TRANSLIT_PAIRS.items() if pair[0] != "j"}
_KAZAKH_PAIR = re.compile("|".join(sorted(_KAZAKH_PAIRS, key=len, reverse=True)))
_TRANSLIT_ONE = str.maketrans(
    {
        "a": "а",
        "b": "б",
        "v": "в",
        "g": "г",
        "d": "д",
        "e": "е",
        "é": "е",
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
# Russian is written as heard: unstressed о/а and е/и/я are confused. Only Russian rules
# are compared in this reading: in Kazakh, "алғым" (I want to get) is not "өлгім".
_HEARD = str.maketrans({"о": "а", "е": "и", "я": "а"})

# Negation fused with a verb ("нехочу", "неумею", "немогу"), read apart. Only before
# these stems: "негде", "некуда", "неделя", "нельзя" are words of their own.
_FUSED_NEGATION = re.compile(
    r"^не(?=хоч|хач|хат|хот|могу|можу|может|мог|умею|умеет|буду|будет|нуж|надо|знаю|знаем|"
    r"жела|вижу|хвата|люблю|работа|сплю|пью|пил|прид|приед|пойд|понима|получа|спра|"
    r"беспоко|нрав|хотел|хотит|интерес)"
)
# English contractions written with or without the apostrophe, spelled out.
_ENGLISH = {
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "couldnt": ("could", "not"),
    "wont": ("will", "not"),
    "wouldnt": ("would", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "aint": ("am", "not"),
    "havent": ("have", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("got", "to"),
    "pls": ("please",),
    "plz": ("please",),
}
# "doontt", "waannaa": the same after repeated letters are collapsed.
_ENGLISH_COLLAPSED = {_REPEATS.sub(r"\1", short): full for short, full in _ENGLISH.items()}

WORD = "word"
NUMBER = "number"
EMOJI = "emoji"
PUNCTUATION = "punctuation"


@dataclass(frozen=True, slots=True)
class Token:
    """One word, number, emoji or punctuation mark of a message.

    `written` is the folded form; `cyrillic` the same read back from Latin letters as
    Kazakh; `heard` read back as Russian, with unstressed vowels merged. `start`/`end` are
    offsets in the normalised text (`Reading.text`)."""

    kind: str
    written: str
    cyrillic: str
    heard: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reading:
    """A message as the language layer reads it."""

    text: str  # NFKC, casefolded, invisible characters removed
    tokens: tuple[Token, ...]  # every token, punctuation and emoji included

    @property
    def words(self) -> tuple[Token, ...]:
        """Words, numbers and emoji: what rules match (punctuation only separates)."""
        return tuple(token for token in self.tokens if token.kind != PUNCTUATION)


def clean(text: str) -> str:
    """NFKC, casefolded, with invisible characters removed and apostrophes inside
    words dropped ("I'm" reads "im", "ub'yu" reads "ubyu")."""
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
    folded = _APOSTROPHES.sub("", _INVISIBLE.sub("", folded))
    return _DIGIT_LETTERS.sub(lambda m: _DIGIT_LETTER[m.group(0)], folded)


def _script(word: str, prefer: str = "") -> str:
    """The script a word is written in: "cyrillic", "latin" or "" (neither). A letter
    only one script has decides; a word of look-alikes only ("c", "кepeк") takes the
    message's script (`prefer`), else its majority."""
    cyrillic = latin = cyrillic_only = latin_only = 0
    for char in word:
        if "\u0400" <= char <= "\u04ff":
            cyrillic += 1
            cyrillic_only += char not in _CYRILLIC_LOOKALIKES
        elif _LATIN.match(char):
            latin += 1
            latin_only += char not in _LATIN_LOOKALIKES
    if cyrillic_only and not latin_only:
        return "cyrillic"
    if latin_only and not cyrillic_only:
        return "latin"
    if not cyrillic and not latin:
        return ""
    if prefer and not (cyrillic_only or latin_only):
        return prefer
    return "cyrillic" if cyrillic >= latin else "latin"


def message_script(text: str) -> str:
    """The script `text` is written in, by the letters only one script has ("ж", "s"),
    then by all letters: "cyrillic" or "latin"."""
    cyrillic_only = sum(1 for c in _CYRILLIC.findall(text) if c not in _CYRILLIC_LOOKALIKES)
    latin_only = sum(1 for c in _LATIN.findall(text) if c not in _LATIN_LOOKALIKES)
    if cyrillic_only != latin_only:
        return "cyrillic" if cyrillic_only > latin_only else "latin"
    return "cyrillic" if len(_CYRILLIC.findall(text)) >= len(_LATIN.findall(text)) else "latin"


def _collapse(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


@lru_cache(maxsize=8192)
def fold_word(word: str, prefer: str = "") -> tuple[tuple[str, str, str], ...]:
    """The (written, cyrillic, heard) readings of one cleaned word; more than one when
    the word is fused ("нехочу") or a contraction ("dont"). `prefer`: the message's
    script, for words made of look-alike letters only."""
    script = _script(word, prefer)
    typed = _script(word)
    if script != typed and not (_CYRILLIC.search(word) and _LATIN.search(word)):
        # Look-alike letters only, typed in one script inside a message in the other:
        # English rules read it in Latin letters ("they beat me" in a Russian message),
        # Russian and Kazakh rules in Cyrillic ("c" in "покончу c собой").
        as_latin = fold_word(word.translate(_TO_LATIN))
        as_cyrillic = fold_word(word.translate(_TO_CYRILLIC))
        if len(as_latin) != 1 or len(as_cyrillic) != 1:
            return as_cyrillic if script == "cyrillic" else as_latin
        return ((as_latin[0][0], as_cyrillic[0][1], as_cyrillic[0][2]),)
    if script == "cyrillic":
        written = _collapse(word.translate(_TO_CYRILLIC).translate(_FOLD))
        parts = _split_negation(written)
        return tuple((part, part, _collapse(part.translate(_HEARD))) for part in parts)
    if script == "latin":
        latin = word.translate(_TO_LATIN)
        pieces = _ENGLISH.get(latin) or _ENGLISH_COLLAPSED.get(_collapse(latin), (latin,))
        readings = []
        for piece in pieces:
            # Collapsed before reading back: "hhochhu" is "hochu", not "хочху".
            written = _collapse(piece)
            kazakh = _from_latin(written, _KAZAKH_PAIR, _KAZAKH_PAIRS)
            russian = _from_latin(written, _TRANSLIT_PAIR, _TRANSLIT_PAIRS)
            if len(pieces) == 1 and len(_split_negation(russian)) == 2:
                # "nehochu": the negation apart in the Russian reading; English and
                # Kazakh have no use for the halves.
                return tuple(
                    (p, p, _collapse(p.translate(_HEARD))) for p in _split_negation(russian)
                )
            readings.append((written, kazakh, _collapse(russian.translate(_HEARD))))
        return tuple(readings)
    written = _collapse(word)
    return ((written, written, written),)


def _from_latin(word: str, pair: re.Pattern[str], pairs: dict[str, str]) -> str:
    cyrillic = pair.sub(lambda m: pairs[m.group(0)], word)
    return _collapse(cyrillic.translate(_TRANSLIT_ONE).translate(_FOLD))


def _split_negation(word: str) -> tuple[str, ...]:
    if _FUSED_NEGATION.match(word):
        return ("не", word[2:])
    return (word,)


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" or "\U0001f000" <= char <= "\U0001faff"


def read(text: str) -> Reading:
    """Tokenise and fold `text`."""
    cleaned = clean(text)
    prefer = message_script(cleaned)
    tokens: list[Token] = []
    for found in _TOKENS.finditer(cleaned):
        start, end = found.span()
        kind = found.lastgroup
        value = found.group(0)
        if kind == "word":
            for written, cyrillic, heard in fold_word(value, prefer):
                tokens.append(Token(WORD, written, cyrillic, heard, start, end))
        elif kind == "number":
            tokens.append(Token(NUMBER, value, value, value, start, end))
        else:
            other = EMOJI if _is_emoji(value) else PUNCTUATION
            tokens.append(Token(other, value, value, value, start, end))
    return Reading(cleaned, tuple(tokens))


def normalise(text: str | None) -> str:
    """The folded words, numbers and emoji of `text`, joined by single spaces: the form
    every match compares. Useful to see what a rule must be written against."""
    if not text:
        return ""
    return " ".join(token.written for token in read(text).tokens if token.kind != PUNCTUATION)


def letters(word: str) -> tuple[str, str]:
    """One cleaned word with look-alike letters, the Kazakh keyboard and the signs ь and
    ъ folded, and nothing else (й, ы and doubled letters stay: "ұйым" must not read
    "уии"): (as written, read back into Cyrillic when in Latin letters)."""
    script = _script(word)
    if script == "cyrillic":
        folded = word.translate(_TO_CYRILLIC).translate(_KEYBOARD)
        return folded, folded
    if script == "latin":
        latin = word.translate(_TO_LATIN)
        cyrillic = _TRANSLIT_PAIR.sub(lambda m: _TRANSLIT_PAIRS[m.group(0)], latin)
        return latin, cyrillic.translate(_TRANSLIT_ONE).translate(_KEYBOARD)
    return word, word
