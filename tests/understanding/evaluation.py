"""The labelled evaluation sets (tests/understanding/data) and their scores.

Shared by the tests (which assert the bar) and bench/understanding.py (which prints the
figures). Files are tab-separated; `#` lines are comments. `*_heldout.tsv` files were
written before the rules and kept out of the rule-writing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from flows import crisis
from flows.understanding import understand

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Example:
    language: str
    label: str  # crisis category, intent, or "none"
    text: str
    heldout: bool


def _rows(name: str, columns: int) -> list[Example]:
    examples = []
    for heldout, path in ((False, DATA / f"{name}.tsv"), (True, DATA / f"{name}_heldout.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != columns:
                raise ValueError(f"{path.name}:{number}: expected {columns} columns")
            if columns == 2:
                fields.insert(1, "none")
            language, label, text = fields
            examples.append(Example(language, label, text, heldout))
    return examples


def crisis_set() -> list[Example]:
    return _rows("crisis", 3)


def ordinary_set() -> list[Example]:
    return _rows("ordinary", 2)


def intent_set() -> list[Example]:
    return _rows("intents", 3)


@dataclass
class Score:
    right: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0


def group(examples: list[Example], right: list[bool]) -> dict[str, Score]:
    """Scores by "all", by language, by label, by part (development / held out)."""
    scores: dict[str, Score] = defaultdict(Score)
    for example, ok in zip(examples, right, strict=True):
        part = "heldout" if example.heldout else "development"
        for key in ("all", f"language {example.language}", f"label {example.label}", part):
            scores[key].total += 1
            scores[key].right += ok
    return dict(scores)


def crisis_found(example: Example) -> bool:
    return crisis.detect(example.text) is not None


def intent_of(example: Example) -> str:
    return understand(example.text).intent or "none"
