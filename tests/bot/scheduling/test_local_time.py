"""Quiet hours and time zones, including people whose zone differs from the server's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.scheduling.local_time import (
    before_quiet_hours,
    end_of_quiet_hours,
    format_local,
    in_quiet_hours,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "quiet"),
    [
        (utc(2026, 11, 28, 15, 59), "Asia/Almaty", False),  # 20:59 in Almaty (UTC+5)
        (utc(2026, 11, 28, 16, 0), "Asia/Almaty", True),  # 21:00
        (utc(2026, 11, 29, 3, 59), "Asia/Almaty", True),  # 08:59
        (utc(2026, 11, 29, 4, 0), "Asia/Almaty", False),  # 09:00
        (utc(2026, 11, 28, 20, 30), "Africa/Tunis", True),  # 21:30 in Tunis (UTC+1)
        (utc(2026, 11, 28, 16, 30), "Africa/Tunis", False),  # 17:30 in Tunis
        (utc(2026, 11, 28, 16, 30), "Africa/Kampala", False),  # 19:30 in Kampala (UTC+3)
        (utc(2026, 11, 28, 18, 30), "Africa/Kampala", True),  # 21:30
    ],
)
def test_quiet_hours_follow_the_persons_zone_not_the_servers(moment, zone, quiet):
    assert in_quiet_hours(moment, zone, 21, 9) is quiet


def test_almaty_is_utc_plus_5_since_march_2024():
    # tzdata 2024a: a June 2023 moment is +6, a June 2024 one +5.
    assert format_local(utc(2023, 6, 1, 4, 0), "Asia/Almaty") == "01.06 10:00"
    assert format_local(utc(2024, 6, 1, 4, 0), "Asia/Almaty") == "01.06 09:00"


def test_a_due_time_in_quiet_hours_waits_for_the_morning():
    late_evening = utc(2026, 11, 28, 17, 0)  # 22:00 Almaty
    assert end_of_quiet_hours(late_evening, "Asia/Almaty", 21, 9) == utc(2026, 11, 29, 4, 0)
    early_morning = utc(2026, 11, 29, 1, 0)  # 06:00 Almaty, same quiet night
    assert end_of_quiet_hours(early_morning, "Asia/Almaty", 21, 9) == utc(2026, 11, 29, 4, 0)
    afternoon = utc(2026, 11, 28, 9, 0)
    assert end_of_quiet_hours(afternoon, "Asia/Almaty", 21, 9) == afternoon


def test_a_reminder_in_quiet_hours_moves_to_the_evening_before():
    night = utc(2026, 11, 28, 19, 0)  # 00:00 Almaty on the 29th
    assert before_quiet_hours(night, "Asia/Almaty", 21, 9) == utc(2026, 11, 28, 15, 30)
    late = utc(2026, 11, 28, 17, 0)  # 22:00 Almaty
    assert before_quiet_hours(late, "Asia/Almaty", 21, 9) == utc(2026, 11, 28, 15, 30)


def test_no_quiet_hours_when_start_equals_end_and_daytime_windows_work():
    assert not in_quiet_hours(utc(2026, 11, 28, 18, 0), "Asia/Almaty", 0, 0)
    assert in_quiet_hours(utc(2026, 11, 28, 8, 0), "Asia/Almaty", 12, 14)  # 13:00


def test_an_unknown_zone_falls_back_to_almaty():
    assert in_quiet_hours(utc(2026, 11, 28, 16, 0), "Mars/Olympus", 21, 9)
