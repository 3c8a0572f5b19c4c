"""When to try a failed webhook again, and when to give up."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 60 * 60


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour apart: about 30 tries in
    24 h, most of them late, when a partner's server is more likely back."""
    exponent = max(attempts - 1, 0)
    seconds = FIRST_RETRY_SECONDS * 2 ** min(exponent, 16)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def next_attempt(
    created_at: datetime, attempts: int, now: datetime, give_up_after: timedelta
) -> datetime | None:
    """When to retry after `attempts` failures; None once the window is over."""
    when = now + retry_delay(attempts)
    return when if when <= created_at + give_up_after else None
