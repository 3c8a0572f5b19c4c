"""How often a person is checked on, from their supervision level."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import Person

# Defaults of the programme: high every 2 days, medium twice a week, low weekly.
DEFAULT_INTERVAL_HOURS = {"high": 48, "medium": 84, "low": 168}


def checkin_interval(person: Person) -> timedelta:
    hours = person.checkin_interval_hours or DEFAULT_INTERVAL_HOURS.get(
        str(person.supervision_level), DEFAULT_INTERVAL_HOURS["medium"]
    )
    return timedelta(hours=hours)


def next_checkin_after(person: Person, moment: datetime) -> datetime:
    return moment + checkin_interval(person)
