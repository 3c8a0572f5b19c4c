"""A person's local time: time zones and quiet hours.

Stored times are UTC; what a person experiences is their wall clock. Kazakhstan moved to
a single UTC+5 in March 2024, which is why the `tzdata` package is a dependency: an old
system zone file would put everyone an hour off.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FALLBACK_ZONE = "Asia/Almaty"


@lru_cache(maxsize=512)
def zone(name: str | None, fallback: str = FALLBACK_ZONE) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def in_quiet_hours(moment: datetime, zone_name: str | None, start: int, end: int) -> bool:
    """Quiet hours run from `start` o'clock to `end` o'clock local time; they may cross
    midnight (21 → 9). Equal bounds mean no quiet hours."""
    if start == end:
        return False
    hour = moment.astimezone(zone(zone_name)).hour
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def end_of_quiet_hours(moment: datetime, zone_name: str | None, start: int, end: int) -> datetime:
    """`moment` itself outside quiet hours, else the next local `end` o'clock (in UTC)."""
    if not in_quiet_hours(moment, zone_name, start, end):
        return moment
    tz = zone(zone_name)
    local = moment.astimezone(tz)
    candidate = datetime.combine(local.date(), time(end), tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(end), tzinfo=tz)
    return candidate.astimezone(moment.tzinfo)


def before_quiet_hours(moment: datetime, zone_name: str | None, start: int, end: int) -> datetime:
    """`moment` itself outside quiet hours, else the last half hour before they began —
    for a reminder that must arrive the evening before rather than too late."""
    if not in_quiet_hours(moment, zone_name, start, end):
        return moment
    tz = zone(zone_name)
    local = moment.astimezone(tz)
    day = local.date() if local.hour >= start else local.date() - timedelta(days=1)
    began = datetime.combine(day, time(start), tzinfo=tz)
    return (began - timedelta(minutes=30)).astimezone(moment.tzinfo)


def format_local(moment: datetime, zone_name: str | None) -> str:
    """Day, month and 24-hour time, as people in the region write it: 29.11 10:00."""
    return moment.astimezone(zone(zone_name)).strftime("%d.%m %H:%M")
