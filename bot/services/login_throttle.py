"""The login throttle: too many failed logins lock an account, and a client address.

A lock starts when `login_max_failures` failures fall within `login_window_minutes` and
lasts `login_lock_minutes` from the last of them. Accounts are named by a keyed hash of
the e-mail (`bot.core.security.email_key`), so unknown e-mails are counted (and locked)
exactly like real ones. A successful login clears the account's count, never the
address's: one valid account must not reset the count of a guesser trying many others.
Refused attempts while locked are not recorded, so a flood cannot extend the table
without bound.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.core.clock import as_utc
from bot.core.settings import Settings
from bot.models import LoginAttempt


def _lock_end(times: list[datetime], settings: Settings) -> datetime | None:
    """When the latest lock ends: failures in time order, any `max` of them within the window."""
    needed = settings.login_max_failures
    window = timedelta(minutes=settings.login_window_minutes)
    end: datetime | None = None
    for first, last in zip(times, times[needed - 1 :], strict=False):
        if last - first < window:
            end = last + timedelta(minutes=settings.login_lock_minutes)
    return end


def _failures_since(session: Session, since: datetime, **where: str) -> list[datetime]:
    query = select(LoginAttempt.created_at).where(
        col(LoginAttempt.succeeded).is_(False), col(LoginAttempt.created_at) > since
    )
    for name, value in where.items():
        query = query.where(getattr(LoginAttempt, name) == value)
    return [as_utc(moment) for moment in session.exec(query.order_by(col(LoginAttempt.created_at)))]  # type: ignore[misc]


def seconds_locked(
    session: Session, *, email_key: str, address: str, now: datetime, settings: Settings
) -> int:
    """0 when a login may be tried now; otherwise how many seconds until it may."""
    horizon = now - timedelta(minutes=settings.login_window_minutes + settings.login_lock_minutes)
    last_success = session.exec(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email_key == email_key, col(LoginAttempt.succeeded).is_(True)
        )
    ).one()
    account_since = max(horizon, as_utc(last_success) or horizon)
    ends = [
        _lock_end(_failures_since(session, account_since, email_key=email_key), settings),
        _lock_end(_failures_since(session, horizon, address=address), settings),
    ]
    latest = max((end for end in ends if end is not None), default=None)
    if latest is None or latest <= now:
        return 0
    return max(1, math.ceil((latest - now).total_seconds()))


def record_attempt(
    session: Session, *, email_key: str, address: str, succeeded: bool, now: datetime
) -> None:
    session.add(
        LoginAttempt(email_key=email_key, address=address[:64], succeeded=succeeded, created_at=now)
    )
