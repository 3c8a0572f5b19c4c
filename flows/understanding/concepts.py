"""The concepts the layer knows, their order of precedence, and `understand`."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.understanding.normalise import EMOJI, Reading, read
from flows.understanding.rules import Concept, Found, Rulebook, Term, load

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_KAZAKH_LETTERS = re.compile("[әғқңөұүһі]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")

# Most urgent first: a person who wants to die and is also threatened is asked about
# themselves first; the escalation names one category.
CRISIS_CATEGORIES = ("self_harm", "danger", "harm_others")

# Everything else, most specific first: "здравствуйте, помогите найти работу" is a
# request for work (not a greeting, not "help"); "жильё на сегодня" is tonight's
# housing, not housing in general; "хватит мне писать" outranks everything.
INTENT_PRIORITY = (
    "intent.stop_writing",
    "request.housing_tonight",
    "request.housing",
    "request.work",
    "request.documents",
    "request.religious_counselling",
    "request.psychological_support",
    "request.appointment_question",
    "intent.officer",
    "intent.privacy",
    "intent.language",
    "intent.stop",
    "intent.start",
    "intent.menu",
    "intent.help",
    "talk.greeting",
    "talk.thanks",
    "talk.ok",
    "mood.very_bad",
    "mood.bad",
    "mood.so_so",
    "mood.very_good",
    "mood.good",
    # Read only while a yes/no question is open (flows/matching.py), never as a request.
    "answer.no",
    "answer.yes",
)
CONCEPTS = tuple(f"crisis.{c}" for c in CRISIS_CATEGORIES) + INTENT_PRIORITY
ANSWER_PREFIX = "answer."
_RANK = {name: rank for rank, name in enumerate(CONCEPTS)}


@dataclass(frozen=True)
class Understanding:
    """What a message says, as far as the rules can tell."""

    reading: Reading
    found: tuple[Found, ...]  # most urgent first (crisis, then INTENT_PRIORITY)

    @property
    def crisis(self) -> str | None:
        """The crisis category ("self_harm", "danger", "harm_others"), or None."""
        hit = self.crisis_found
        return hit.concept.removeprefix("crisis.") if hit else None

    @property
    def crisis_found(self) -> Found | None:
        return next((f for f in self.found if f.concept.startswith("crisis.")), None)

    @property
    def intents(self) -> tuple[str, ...]:
        """Every non-crisis concept found, most specific first, each once. A yes or no is
        not a request: it is read only where a question asks for one (`answers`)."""
        names = (
            f.concept for f in self.found if not f.concept.startswith(("crisis.", ANSWER_PREFIX))
        )
        return tuple(dict.fromkeys(names))

    @property
    def answers(self) -> tuple[str, ...]:
        """ "answer.no" and/or "answer.yes", no first."""
        names = (f.concept for f in self.found if f.concept.startswith(ANSWER_PREFIX))
        return tuple(dict.fromkeys(names))

    @property
    def intent(self) -> str | None:
        """The one thing the message asks for, by INTENT_PRIORITY; None when nothing."""
        return next(iter(self.intents), None)

    def has(self, concept: str) -> bool:
        return any(f.concept == concept for f in self.found)

    def first_of(self, *concepts: str) -> str | None:
        """Of `concepts`, the one found that ranks first (a check-in asks for the mood
        with `first_of(*MOODS)`: "очень хорошо" is very good, not good)."""
        wanted = set(concepts)
        return next((f.concept for f in self.found if f.concept in wanted), None)

    def covers(self, concept: str) -> bool:
        """The concept's match is the whole message (bar punctuation): "помощь" alone,
        not "мне нужна помощь с жильём". For words that only count on their own."""
        words = len(self.reading.words)
        return any(f.concept == concept and len(f.positions) == words for f in self.found)

    @property
    def language(self) -> str | None:
        """The language the message is most likely in ("ru", "kk", "en"), or None: a
        letter only Kazakh has, else the languages of the rules that matched, else the
        script ("Сәлем" and "salem" are Kazakh, "привет" Russian, "hello" English)."""
        if _KAZAKH_LETTERS.search(self.reading.text):
            return "kk"
        votes = Counter(f.language for f in self.found)
        if votes:
            ranked = votes.most_common()
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                return ranked[0][0]
        if _CYRILLIC.search(self.reading.text):
            return "ru"
        if _LATIN.search(self.reading.text):
            return "en"
        return None

    @property
    def emoji(self) -> tuple[str, ...]:
        return tuple(t.written for t in self.reading.tokens if t.kind == EMOJI)


def load_all(data_dir: Path = DATA_DIR) -> Rulebook:
    """The crisis lists and the concept lists of every language, as one rulebook."""
    terms: dict[Term, int] = {}
    crisis = load(sorted(data_dir.glob("crisis_*.txt")), CONCEPTS, prefix="crisis.", terms=terms)
    others = load(sorted(data_dir.glob("concepts_*.txt")), INTENT_PRIORITY, terms=terms)
    return Rulebook(_ordered([*crisis, *others]), terms)


def _ordered(concepts: list[Concept]) -> list[Concept]:
    # Stable: within a rank, the files' order (en, kk, ru) is kept.
    return sorted(concepts, key=lambda c: _RANK[c.name])


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    return load_all()


def understand(text: str | None, book: Rulebook | None = None) -> Understanding:
    """Everything the rules find in `text` (read once per text and rulebook: one message
    is read by the crisis check, the menu and the open question in turn)."""
    return _remembered(text or "", book or rulebook())


def understand_afresh(text: str | None, book: Rulebook | None = None) -> Understanding:
    """`understand` without the memory of recent texts (what bench/understanding.py
    times)."""
    reading = read(text or "")
    found = (book or rulebook()).find(reading)
    return Understanding(reading, tuple(sorted(found, key=lambda f: _RANK[f.concept])))


# A few hundred recent messages: enough for every reading of the ones being processed;
# an Understanding is immutable, so sharing one is safe.
_remembered = lru_cache(maxsize=512)(understand_afresh)
