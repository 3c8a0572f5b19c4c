"""Bar charts drawn on the server as inline SVG geometry, from the report's figures (which
already hide small numbers): a hidden or missing value draws no bar and is labelled as it
is in the table beneath ("<5", "—")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services.reports.suppression import HIDDEN

WIDTH = 640
ROW = 28  # height of one bar's row
LABEL = 220  # room for the labels on the left
GAP = 6


@dataclass(frozen=True)
class Bar:
    label: Any  # what the template turns into words
    shown: str  # the value as the table shows it
    y: int
    width: int  # 0 when the value is hidden or missing


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL
    width: int = WIDTH

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - 70  # room for the value after the bar


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or value == HIDDEN:
        return None
    return float(value) if isinstance(value, int | float) else None


def shown(value: Any, *, percent: bool = False) -> str:
    number = _number(value)
    if number is None:
        return HIDDEN if value == HIDDEN else "—"
    if percent:
        return f"{round(number * 100)} %"
    return f"{number:g}"


def bar_chart(items: list[tuple[Any, Any]], *, percent: bool = False) -> Chart:
    """One horizontal bar per (label, value); rates (0..1) scale to 100 %, counts to the
    largest shown count."""
    numbers = [_number(value) for _, value in items]
    top = 1.0 if percent else max([n for n in numbers if n is not None] or [1.0]) or 1.0
    chart = Chart(bars=[], height=max(len(items), 1) * ROW)
    span = chart.plot_width
    bars = [
        Bar(
            label=label,
            shown=shown(value, percent=percent),
            y=index * ROW,
            width=0 if number is None else max(1, round(span * number / top)) if number else 0,
        )
        for index, ((label, value), number) in enumerate(zip(items, numbers, strict=True))
    ]
    return Chart(bars=bars, height=chart.height)
