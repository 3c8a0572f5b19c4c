"""The summary as CSV rows: section, item, measure, value (hidden counts stay "<5")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

HEADER = ("section", "item", "measure", "value")


def rows(summary: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    period = summary["period"]
    yield ("report", "period", "from", period["from"].isoformat())
    yield ("report", "period", "to", period["to"].isoformat())
    yield ("report", "region", "name", cell(summary["region"]) or "all")
    yield ("report", "scope", "name", summary["scope"])
    for measure, value in summary["people"].items():
        yield ("people", "all", measure, cell(value))
    for week in summary["checkins"]["by_week"]:
        for measure in ("sent", "answered", "response_rate"):
            yield ("checkins", week["week_of"], measure, cell(week[measure]))
    yield ("checkins", "all", "missed", cell(summary["checkins"]["missed"]))
    escalations = summary["escalations"]
    for row in escalations["by_reason_and_severity"]:
        yield ("escalations", f"{row['reason']}/{row['severity']}", "count", cell(row["count"]))
    for measure in (
        "acknowledged",
        "median_minutes_to_acknowledge",
        "share_acknowledged_past_deadline",
    ):
        yield ("escalations", "all", measure, cell(escalations[measure]))
    referrals = summary["referrals"]
    for row in referrals["by_kind_and_status"]:
        yield ("referrals", f"{row['kind']}/{row['status']}", "count", cell(row["count"]))
    for measure in ("median_days_to_acceptance", "completion_rate"):
        yield ("referrals", "all", measure, cell(referrals[measure]))
    helpful = summary["helpful"]
    for rating, count in helpful["ratings"].items():
        yield ("helpful", f"rating {rating}", "count", cell(count))
    yield ("helpful", "all", "rated", cell(helpful["rated"]))
    yield ("helpful", "all", "average", cell(helpful["average"]))
    for measure, value in summary["appointments"].items():
        yield ("appointments", "all", measure, cell(value))


def csv_text(summary: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows(summary))
    return buffer.getvalue()
