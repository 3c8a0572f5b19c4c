"""Concept rules: read from reviewed data files, compiled into one index, matched.

A rule is a set of words that must all appear within a short window, in any order;
`word*` is a stem (any word starting with it), `a|b` either word, `"a b"` words
together in that order. A concept is found when one of its rules matches and no
`[unless]` exclusion of its paragraph shares a word with that match or stands next to
it ("работа не нужна", "убить время"). The file format is described at the top of
every data file (`flows/data/*.txt`).

Matching is by index, not by trying every rule: every word of every rule is a term
looked up in a dict, the message's words are looked up once, and only the rules whose
every slot was hit are checked for distance and exclusions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path

from flows.understanding.normalise import Reading, Token, clean, fold_word, read

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
    source: str = ""  # file name
    paragraph: int = 0  # lines between two blank lines: an [unless]'s reach


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
        self._exact: dict[str, dict[str, list[int]]] = {r: {} for r in READING_OF.values()}
        self._stems: dict[str, dict[str, list[int]]] = {r: {} for r in READING_OF.values()}
        for (reading, form, stem), term_id in terms.items():
            table = self._stems if stem else self._exact
            table[reading].setdefault(form, []).append(term_id)
        self._stem_lengths = {
            reading: sorted({len(form) for form in forms}) for reading, forms in self._stems.items()
        }
        # Every rule and exclusion gets an id; a term that starts one of its alternatives
        # points at (rule id, slot, alternative).
        self._rules: list[Rule] = []
        self._concept_of: list[int] = []
        self._unless_of: dict[str, list[int]] = {}
        self._starts: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
        for index, concept in enumerate(self.concepts):
            for rule in concept.rules:
                self._add(rule, index)
            for rule in concept.unless:
                self._unless_of.setdefault(concept.name, []).append(self._add(rule, -1))
        self._rule_ids = [
            [self._rules.index(rule) for rule in concept.rules] for concept in self.concepts
        ]

    def _add(self, rule: Rule, concept: int) -> int:
        rule_id = len(self._rules)
        self._rules.append(rule)
        self._concept_of.append(concept)
        for slot_index, slot in enumerate(rule.slots):
            for alternative in slot:
                self._starts.setdefault(alternative[0], []).append(
                    (rule_id, slot_index, alternative)
                )
        return rule_id

    def _hits(self, words: tuple[Token, ...]) -> list[frozenset[int]]:
        hits = []
        for token in words:
            found: set[int] = set()
            readings = {("written", token.written), ("cyrillic", token.cyrillic)}
            readings.add(("heard", token.heard))
            for reading, form in readings:
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

    def _places(self, hits: list[frozenset[int]]) -> dict[int, list[set[tuple[int, ...]]]]:
        """Rule id -> for each slot, the word positions where one of its alternatives
        stands; only rules with at least one slot found."""
        count = len(hits)
        places: dict[int, list[set[tuple[int, ...]]]] = {}
        for position, hit in enumerate(hits):
            for term_id in hit:
                for rule_id, slot_index, alternative in self._starts.get(term_id, ()):
                    size = len(alternative)
                    if size > 1 and (
                        position + size > count
                        or not all(alternative[i] in hits[position + i] for i in range(1, size))
                    ):
                        continue
                    slots = places.get(rule_id)
                    if slots is None:
                        slots = places[rule_id] = [set() for _ in self._rules[rule_id].slots]
                    slots[slot_index].add(tuple(range(position, position + size)))
        return places

    def find(self, reading: Reading) -> list[Found]:
        """Every concept found in `reading`, in the order of the rulebook's concepts."""
        words = reading.words
        places = self._places(self._hits(words))
        candidates = sorted(
            {
                self._concept_of[rule_id]
                for rule_id, slots in places.items()
                if self._concept_of[rule_id] >= 0 and all(slots)
            }
        )
        found = []
        taken: dict[int, set[int]] = {}  # exclusion id -> positions it takes
        for index in candidates:
            concept = self.concepts[index]
            for rule_id in self._rule_ids[index]:
                slots = places.get(rule_id)
                if slots is None or not all(slots):
                    continue
                rule = self._rules[rule_id]
                blocked = self._blocked(rule, places, taken)
                match = next(
                    (p for p in _combinations(rule, slots) if not blocked.intersection(p)), None
                )
                if match is not None:
                    first, last = words[match[0]], words[match[-1]]
                    found.append(
                        Found(
                            concept.name, concept.language, rule.text, match, first.start, last.end
                        )
                    )
                    break
        return found

    def _blocked(
        self,
        rule: Rule,
        places: dict[int, list[set[tuple[int, ...]]]],
        taken: dict[int, set[int]],
    ) -> set[int]:
        """Word positions taken from `rule` by its concept's exclusions: those of its own
        paragraph, and those of the concept in the other languages' files (a Latin word
        reads in every language: "start a new life" is also Russian "старт")."""
        blocked: set[int] = set()
        for unless_id in self._unless_of.get(rule.concept, ()):
            unless = self._rules[unless_id]
            if unless.source == rule.source and unless.paragraph != rule.paragraph:
                continue
            positions = taken.get(unless_id)
            if positions is None:
                positions = taken[unless_id] = set()
                slots = places.get(unless_id)
                if slots is not None and all(slots):
                    for match in _combinations(unless, slots):
                        for position in match:
                            positions.update(range(position - _NEAR, position + _NEAR + 1))
            blocked |= positions
        return blocked

    def check(self, text: str) -> list[Found]:
        return self.find(read(text))


def _combinations(rule: Rule, slots: list[set[tuple[int, ...]]]) -> Iterable[tuple[int, ...]]:
    """The sorted word positions of each way `rule` matches, given where each slot's
    alternatives stand (lazily). Only places within the window of the first slot's are
    combined, so a long message with a common word many times stays linear-ish."""
    ordered = [sorted(slot) for slot in slots]
    for anchor in ordered[0]:
        low, high = anchor[0] - rule.window, anchor[-1] + rule.window
        near = [
            [place for place in slot if place[0] >= low and place[-1] <= high]
            for slot in ordered[1:]
        ]
        if not all(near):
            continue
        for combination in product(*near):
            positions = sorted(p for place in (anchor, *combination) for p in place)
            if len(set(positions)) != len(positions):
                continue  # two slots on the same word
            if positions[-1] - positions[0] <= rule.window:
                yield tuple(positions)


def _terms_of(text: str, language: str, terms: dict[Term, int]) -> tuple[int, ...]:
    """Term ids of one alternative ("не хочу", "өл*", "😢"), folded like messages are."""
    reading = READING_OF[language]
    ids: list[int] = []
    for raw in _PATTERN_WORD.findall(clean(text)):
        stem = raw.endswith("*")
        word = raw.removesuffix("*")
        if not word[0].isalnum():
            if unicodedata.category(word)[0] == "P":
                continue  # punctuation only separates, in rules as in messages
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
    text: str, concept: Concept, terms: dict[Term, int], where: str, paragraph: int = 0
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
    return Rule(
        concept.name,
        concept.language,
        text,
        tuple(slots),
        concept.window,
        concept.source,
        paragraph,
    )


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
        paragraph = 0
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                paragraph += 1
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
                if section.group("value") is not None:
                    raise RuleError(f"{where}: only [window N] takes a number")
                name = prefix + section.group("name")
                if name not in allowed:
                    raise RuleError(f"{where}: unknown category {section.group('name')!r}")
                concept = Concept(name, language, path.name)
                concepts.append(concept)
                continue
            if concept is None:
                raise RuleError(f"{where}: {line!r} before any [category]")
            if tagged is None:
                concept.rules.append(parse_rule(line, concept, terms, where, paragraph))
            elif tagged.group("tag") == "unless":
                text = tagged.group("text")
                concept.unless.append(parse_rule(text, concept, terms, where, paragraph))
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
    return replace(rule, window=window)
