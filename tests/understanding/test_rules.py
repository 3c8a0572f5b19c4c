"""Every example written in the reviewed data files holds, and the file format refuses
what it cannot read (a reviewer's typo must fail loudly, not silently drop a rule)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.understanding import rulebook, understand
from flows.understanding.concepts import CONCEPTS, DATA_DIR, load_all
from flows.understanding.rules import Rulebook, RuleError, Term, load

CONCEPT_LIST = rulebook().concepts
EXAMPLES = [
    (concept.source, concept.name, text, expected)
    for concept in CONCEPT_LIST
    for expected, texts in ((True, concept.yes), (False, concept.no))
    for text in texts
]


def test_every_language_has_crisis_and_concept_files() -> None:
    names = {path.name for path in DATA_DIR.glob("*.txt")}
    for language in ("ru", "kk", "en"):
        assert {f"crisis_{language}.txt", f"concepts_{language}.txt"} <= names


def test_every_file_says_who_reviews_it() -> None:
    for path in DATA_DIR.glob("*.txt"):
        head = path.read_text(encoding="utf-8")[:600]
        assert "REVIEW BEFORE A PILOT" in head, path.name
        assert "native" in head, path.name
        if path.name.startswith("crisis_"):
            assert "clinician" in head, path.name


def paragraphs(path: Path) -> list[list[str]]:
    """The file's paragraphs after its header, as lists of non-blank lines."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("\n[") + 1 :]
    return [
        [line.strip() for line in block.splitlines() if line.strip()]
        for block in re.split(r"\n\s*\n", body)
    ]


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.txt")), ids=lambda p: p.name)
def test_every_paragraph_of_rules_says_why_and_gives_an_example(path: Path) -> None:
    # A reviewer reads a rule with its reason and an example next to it.
    lacking = [
        lines[0]
        for lines in paragraphs(path)
        if any(not line.startswith(("#", "[")) for line in lines)
        and not (
            any(line.startswith("#") for line in lines)
            and any(line.startswith("[yes]") for line in lines)
        )
    ]
    assert lacking == []


def test_every_concept_has_examples() -> None:
    bare = [(c.source, c.name) for c in CONCEPT_LIST if not c.yes]
    assert bare == []


@pytest.mark.parametrize(
    ("source", "concept", "text", "expected"),
    EXAMPLES,
    ids=[f"{s}:{c}:{'yes' if e else 'no'}:{t}" for s, c, t, e in EXAMPLES],
)
def test_the_examples_in_the_files_hold(source, concept, text, expected) -> None:
    assert understand(text).has(concept) is expected


def test_a_crisis_example_is_never_only_a_lesser_concept() -> None:
    # A [yes] of a crisis category must come out as a crisis, whatever else matches.
    for concept in CONCEPT_LIST:
        if concept.name.startswith("crisis."):
            for text in concept.yes:
                assert understand(text).crisis is not None, text


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[no_such]\nслово\n", "unknown category"),
        ("слово\n", "before any"),
        ("[intent.help]\n[unless]\n", "no words"),
        ("[window 3]\n", "before any concept"),
        ("[intent.help 3]\nhelp\n", "only \\[window N\\]"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "concepts_ru.txt", body)
    with pytest.raises(RuleError, match=message):
        load([path], CONCEPTS)


def test_a_file_for_an_unknown_language_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts_xx.txt", "[intent.help]\nhelp\n")
    with pytest.raises(RuleError, match="unknown language"):
        load([path], CONCEPTS)


def test_an_emoji_in_a_rule_matches_with_or_without_its_variation_selector(
    tmp_path: Path,
) -> None:
    body = "[crisis.self_harm]\n\u26b0\ufe0f себя|myself\n[yes] x\n"
    terms: dict[Term, int] = {}
    book = Rulebook(load([write(tmp_path, "crisis_ru.txt", body)], CONCEPTS, terms=terms), terms)
    assert book.check("\u26b0 себя") and book.check("\u26b0\ufe0f себя")


def test_the_shipped_rules_load_and_are_not_empty() -> None:
    book = load_all()
    assert {c.name for c in book.concepts} == set(CONCEPTS)
    assert all(concept.rules for concept in book.concepts)


def test_an_exclusion_reaches_only_its_own_paragraph(tmp_path: Path) -> None:
    body = '[request.work]\nработ* нужн*\n[unless] "не нужн*"\n\nработа\n\n[yes] работа\n'
    terms: dict[Term, int] = {}
    book = Rulebook(load([write(tmp_path, "concepts_ru.txt", body)], CONCEPTS, terms=terms), terms)
    assert [f.rule for f in book.check("нужна работа")] == ["работ* нужн*"]
    # The first paragraph's rule is taken by its exclusion; the second's is not.
    assert [f.rule for f in book.check("не нужна работа")] == ["работа"]
