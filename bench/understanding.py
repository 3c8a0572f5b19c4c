"""Score the language layer on the labelled sets and time it. See bench/README.md.

    .venv/bin/python bench/understanding.py [--repeat 20] [--json bench/results/understanding.json]

Prints crisis recall, false alarms on ordinary messages, intent accuracy and the language
guess, each by language, by label and by part (development / held out), then the time
per message.
Not run by the test suite (tests/understanding/test_evaluation.py asserts the bar)."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import crisis  # noqa: E402
from flows.understanding import understand, understand_afresh  # noqa: E402
from flows.understanding.normalise import fold_word  # noqa: E402
from tests.understanding.evaluation import (  # noqa: E402
    Score,
    crisis_set,
    group,
    intent_of,
    intent_set,
    ordinary_set,
)


def table(title: str, scores: dict[str, Score], what: str) -> list[str]:
    lines = [f"\n{title}", f"  {'':38} {what:>9} {'n':>6}"]
    order = sorted(scores, key=lambda k: (k != "all", k.split(" ")[0] != "language", k))
    for key in order:
        score = scores[key]
        lines.append(f"  {key:38} {100 * score.rate:8.1f}% {score.total:6}")
    return lines


def as_json(scores: dict[str, Score]) -> dict[str, dict[str, float | int]]:
    return {k: {"rate": round(s.rate, 4), "hits": s.right, "n": s.total} for k, s in scores.items()}


def timing(texts: list[str], repeat: int) -> dict[str, float]:
    # The layer's own work: `understand` remembers recent texts, which would time lookups.
    understand_afresh("warm up")
    fold_word.cache_clear()
    cold_start = time.perf_counter()
    for text in texts:
        understand_afresh(text)
    cold = (time.perf_counter() - cold_start) / len(texts)
    per_message: list[list[float]] = [[] for _ in texts]
    for _ in range(repeat):
        for index, text in enumerate(texts):
            start = time.perf_counter()
            understand_afresh(text)
            per_message[index].append(time.perf_counter() - start)
    each = sorted(t for times in per_message for t in times)
    best = sorted(min(times) for times in per_message)
    return {
        "messages": len(texts),
        "repeat": repeat,
        "mean_ms": round(1000 * statistics.fmean(each), 4),
        "median_ms": round(1000 * each[len(each) // 2], 4),
        "p99_ms": round(1000 * each[int(len(each) * 0.99)], 4),
        # Each message's fastest run: the cost without the other agents' noise.
        "best_mean_ms": round(1000 * statistics.fmean(best), 4),
        "best_max_ms": round(1000 * best[-1], 4),
        "first_pass_mean_ms": round(1000 * cold, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, default=ROOT / "bench/results/understanding.json")
    args = parser.parse_args()

    crises, ordinary, intents = crisis_set(), ordinary_set(), intent_set()
    recall = group(crises, [crisis.detect(e.text) is not None for e in crises])
    category = group(crises, [crisis.detect(e.text) == e.label for e in crises])
    alarms = group(ordinary, [crisis.detect(e.text) is not None for e in ordinary])
    accuracy = group(intents, [intent_of(e) == e.label for e in intents])
    everything = [*crises, *ordinary, *intents]
    language = group(everything, [understand(e.text).language == e.language for e in everything])
    language = {k: v for k, v in language.items() if not k.startswith("label")}
    times = timing([e.text for e in (*crises, *ordinary, *intents)], args.repeat)

    lines = [f"Language layer on {platform.python_implementation()} {platform.python_version()}"]
    lines += table(f"Crisis recall ({len(crises)} messages)", recall, "found")
    lines += table("Crisis category right", {"all": category["all"]}, "right")
    lines += table(f"False alarms ({len(ordinary)} ordinary messages)", alarms, "alarms")
    lines += table(f"Intent accuracy ({len(intents)} messages)", accuracy, "right")
    lines += table(f"Language guessed ({len(everything)} messages)", language, "right")
    lines.append(
        f"\nTime per message (understand, {times['messages']} messages x {times['repeat']}): "
        f"mean {times['mean_ms']} ms, median {times['median_ms']} ms, "
        f"p99 {times['p99_ms']} ms; each message's fastest run: mean "
        f"{times['best_mean_ms']} ms, slowest {times['best_max_ms']} ms; "
        f"first pass (word cache cold) {times['first_pass_mean_ms']} ms"
    )
    print("\n".join(lines))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "crisis_recall": as_json(recall),
        "crisis_category": as_json({"all": category["all"]}),
        "false_alarms": as_json(alarms),
        "intent_accuracy": as_json(accuracy),
        "language_guess": as_json(language),
        "time": times,
    }
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nJSON: {args.json.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
