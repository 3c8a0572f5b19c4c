"""Concept rules: read from reviewed data files, compiled into one index, matched.

A rule is a set of words that must all appear within a short window, in any order;
`word*` is a stem (any word starting with it), `a|b` either word, `"a b"` words
together in that order. A concept is found when one of its rules matches and no
`[unless]` exclusion of the concept shares a word with that match or stands next to it
("работа не нужна", "убить время"). The file format is described at the top of
every data file (`flows/data/*.txt`).

Matching is by index, not by trying every rule: every word of every rule is a term
looked up in a dict, the message's words are looked up once, and only the rules whose
every slot was hit are checked for distance and exclusions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

from flows.understanding.normalise import Reading, Token, fold_word, read

DEFAULT_WINDOW = 5
# An exclusion takes a match it shares a word with or stands next to (at most one word
# between): "работа не нужна", "убить время".
_NEAR = 2
# How a language's rules are compared with a word (see flows/understanding/normalise.py).
READING_OF = {"ru": "heard", "kk": "cyrillic", "en": "written"}
_SECTION = re.compile(r"^\[(?P<name>[a-z_.]+)(?:\s+(?P<value>\d+))?\]$")
_TAGGED = re.compile(r"^\[(?P<tag>unless|yes|no)\]\s*(?P<text>.*)$")
_SLOT = re.compile(r'(?:"[^"]*"|[^\s"|]+)(?:\|(?:"[^"]*"|[^\s"|]+))*')
_ALTERNATIVE = re.compile(r'"[^"]*"|[^\s"|]+')
_PATTERN_WORD = re.compile(r"[^\W\d_]+\*?|\d+|[^\w\s*]")

Term = tuple[str, str, bool]  # (reading, form, is a stem)


@dataclass(frozen=True)
class Rule:
    concept: str
    language: str
    text: str  # the line as written, for review and tests
    slots: tuple[tuple[tuple[int, ...], ...], ...]  # slot -> alternatives -> term ids
    window: int


@dataclass
class Concept:
    name: str
    language: str
    source: str  # file name, for messages about the data
    window: int = DEFAULT_WINDOW
    rules: list[Rule] = field(default_factory=list)
    unless: list[Rule] = field(default_factory=list)
    yes: list[str] = field(default_factory=list)
    no: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """A concept found in a message: which rule, and the words it matched (indexes into
    the message's words, and offsets into the normalised text)."""

    concept: str
    language: str
    rule: str
    positions: tuple[int, ...]
    start: int
    end: int


class RuleError(ValueError):
    """A data file does not follow the format."""


class Rulebook:
    """Compiled rules of a set of data files."""

    def __init__(self, concepts: Iterable[Concept], terms: dict[Term, int]) -> None:
        self.concepts = list(concepts)
        self._terms = terms
        self._exact: dict[str, dict[str, list[int]]] = {r: {} for r in READING_OF.values()}
        self._stems: dict[str, dict[str, list[int]]] = {r: {} for r in READING_OF.values()}
        for (reading, form, stem), term_id in terms.items():
            table = self._stems if stem else self._exact
            table[reading].setdefault(form, []).append(term_id)
        self._stem_lengths = {
            reading: sorted({len(form) for form in forms}) for reading, forms in self._stems.items()
        }
        self._unless_of: dict[str, list[Rule]] = {}
        for concept in self.concepts:
            self._unless_of.setdefault(concept.name, []).extend(concept.unless)
        # term -> indexes of the concepts whose rules (not exclusions) use it
        self._concepts_of: dict[int, set[int]] = {}
        for index, concept in enumerate(self.concepts):
            for rule in concept.rules:
                for slot in rule.slots:
                    for alternative in slot:
                        self._concepts_of.setdefault(alternative[0], set()).add(index)

    def _hits(self, words: tuple[Token, ...]) -> list[frozenset[int]]:
        hits = []
        for token in words:
            found: set[int] = set()
            seen = set()
            for reading, form in (
                ("written", token.written),
                ("cyrillic", token.cyrillic),
                ("heard", token.heard),
            ):
                if (reading, form) in seen:
                    continue
                seen.add((reading, form))
                exact = self._exact[reading].get(form)
                if exact:
                    found.update(exact)
                stems = self._stems[reading]
                for length in self._stem_lengths[reading]:
                    if length > len(form):
                        break
                    ids = stems.get(form[:length])
                    if ids:
                        found.update(ids)
            hits.append(frozenset(found))
        return hits

    def find(self, reading: Reading) -> list[Found]:
        """Every concept found in `reading`, in the order of the rulebook's files."""
        words = reading.words
        hits = self._hits(words)
        candidates: set[int] = set()
        for hit in hits:
            for term_id in hit:
                candidates |= self._concepts_of.get(term_id, set())
        found = []
        blocked_for: dict[str, set[int]] = {}
        for index in sorted(candidates):
            concept = self.concepts[index]
            blocked = blocked_for.get(concept.name)
            if blocked is None:
                blocked = blocked_for[concept.name] = self._blocked(concept.name, hits)
            for rule in concept.rules:
                match = next(
                    (p for p in _matches(rule, hits) if not blocked.intersection(p)), None
                )
                if match is not None:
                    first, last = words[match[0]], words[match[-1]]
                    found.append(
                        Found(concept.name, concept.language, rule.text, match, first.start, last.end)
                    )
                    break
        return found

    def _blocked(self, name: str, hits: list[frozenset[int]]) -> set[int]:
        """Word positions the concept's exclusions (of every language: "start a new
        life" reads as Russian "старт" too) take, with their neighbours."""
        blocked: set[int] = set()
        for rule in self._unless_of.get(name, ()):
            for positions in _matches(rule, hits):
                for position in positions:
                    blocked.update(range(position - _NEAR, position + _NEAR + 1))
        return blocked

    def check(self, text: str) -> list[Found]:
        return self.find(read(text))


def _matches(rule: Rule, hits: list[frozenset[int]]) -> Iterable[tuple[int, ...]]:
    """The sorted word positions of each way `rule` matches (lazily)."""
    count = len(hits)
    per_slot: list[list[tuple[int, ...]]] = []
    for slot in rule.slots:
        places = [
            tuple(range(start, start + len(alternative)))
            for alternative in slot
            for start in range(count - len(alternative) + 1)
            if all(alternative[i] in hits[start + i] for i in range(len(alternative)))
        ]
        if not places:
            return
        per_slot.append(places)
    for combination in product(*per_slot):
        positions = sorted(p for place in combination for p in place)
        if len(set(positions)) != len(positions):
            continue  # two slots on the same word
        if positions[-1] - positions[0] <= rule.window:
            yield tuple(positions)


def _terms_of(text: str, language: str, terms: dict[Term, int]) -> tuple[int, ...]:
    """Term ids of one alternative ("не хочу", "өл*", "😢"), folded like messages are."""
    reading = READING_OF[language]
    ids: list[int] = []
    for raw in _PATTERN_WORD.findall(text.casefold()):
        stem = raw.endswith("*")
        word = raw.removesuffix("*")
        if not word[0].isalnum():
            if word in "!?.,;:-()\"'":
                continue  # punctuation only separates
            pieces: tuple[tuple[str, bool], ...] = ((word, False),)
        else:
            folded = fold_word(word)
            forms = [dict(zip(("written", "cyrillic", "heard"), f, strict=True)) for f in folded]
            pieces = tuple(
                (form[reading], stem and i == len(forms) - 1) for i, form in enumerate(forms)
            )
        for form, is_stem in pieces:
            # An emoji or a digit reads the same every way: the rule's reading finds it.
            ids.append(terms.setdefault((reading, form, is_stem), len(terms)))
    return tuple(ids)


def parse_rule(
    text: str, concept: Concept, terms: dict[Term, int], where: str
) -> Rule:
    slots = []
    for slot_text in _SLOT.findall(text):
        alternatives = tuple(
            ids
            for alternative in _ALTERNATIVE.findall(slot_text)
            if (ids := _terms_of(alternative.strip('"'), concept.language, terms))
        )
        if alternatives:
            slots.append(alternatives)
    if not slots:
        raise RuleError(f"{where}: a rule with no words: {text!r}")
    return Rule(concept.name, concept.language, text, tuple(slots), concept.window)


def load(
    paths: Iterable[Path],
    known: Iterable[str],
    prefix: str = "",
    terms: dict[Term, int] | None = None,
) -> list[Concept]:
    """The concepts of data files named `<anything>_<language>.txt`. Section names must be
    in `known` (after `prefix` is put before them)."""
    allowed = set(known)
    terms = {} if terms is None else terms
    concepts: list[Concept] = []
    for path in paths:
        language = path.stem.rsplit("_", 1)[-1]
        if language not in READING_OF:
            raise RuleError(f"{path.name}: unknown language {language!r}")
        concept: Concept | None = None
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            where = f"{path.name}:{number}"
            if not line:
                continue
            tagged = _TAGGED.match(line)
            section = None if tagged else _SECTION.match(line)
            if section and section.group("name") == "window":
                if concept is None:
                    raise RuleError(f"{where}: [window] before any concept")
                concept.window = int(section.group("value") or DEFAULT_WINDOW)
                continue
            if section:
                name = prefix + section.group("name")
                if name not in allowed:
                    raise RuleError(f"{where}: unknown category {section.group('name')!r}")
                concept = Concept(name, language, path.name)
                concepts.append(concept)
                continue
            if concept is None:
                raise RuleError(f"{where}: {line!r} before any [category]")
            if tagged is None:
                concept.rules.append(parse_rule(line, concept, terms, where))
            elif tagged.group("tag") == "unless":
                concept.unless.append(parse_rule(tagged.group("text"), concept, terms, where))
            elif tagged.group("tag") == "yes":
                concept.yes.append(tagged.group("text"))
            else:
                concept.no.append(tagged.group("text"))
    # A [window] line may come after rules: rules take their concept's final window.
    for concept in concepts:
        concept.rules = [_with_window(rule, concept.window) for rule in concept.rules]
        concept.unless = [_with_window(rule, concept.window) for rule in concept.unless]
    return concepts


def _with_window(rule: Rule, window: int) -> Rule:
    if rule.window == window:
        return rule
    return Rule(rule.concept, rule.language, rule.text, rule.slots, window)
