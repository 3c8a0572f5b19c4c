"""Refresh tokens: issued at login, rotated on every use, revoked at logout, on a password
change and when an account is deactivated.

Only the SHA-256 of a token is stored. Presenting a token that was already rotated away
means it was copied: every token of that user is revoked (the thief and the user both
have to log in again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.clock import as_utc
from bot.core.security import new_opaque_token, token_digest
from bot.core.settings import Settings
from bot.models import RefreshToken, User


class RefreshRefused(Exception):
    """The refresh token is unknown, expired, revoked, or its user may no longer log in."""


@dataclass(frozen=True)
class IssuedRefresh:
    token: str  # shown to the client once, never stored
    row: RefreshToken
    expires_in: int  # seconds


def issue(
    session: Session,
    *,
    user_id: int,
    address: str | None,
    now: datetime,
    settings: Settings,
    lifetime: timedelta | None = None,
) -> IssuedRefresh:
    """A new session token; `lifetime` defaults to the API's refresh token days (the web
    panel's cookie session passes its own, shorter one)."""
    token = new_opaque_token()
    lifetime = lifetime or timedelta(days=settings.refresh_token_days)
    row = RefreshToken(
        user_id=user_id,
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + lifetime,
        address=address[:64] if address else None,
    )
    session.add(row)
    session.flush()
    return IssuedRefresh(token=token, row=row, expires_in=int(lifetime.total_seconds()))


def revoke_all(session: Session, user_id: int, *, now: datetime, keep_id: int | None = None) -> int:
    """Revoke every live token of a user (but `keep_id`); returns how many."""
    statement = (
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    if keep_id is not None:
        statement = statement.where(col(RefreshToken.id) != keep_id)
    return session.exec(statement).rowcount  # type: ignore[call-overload, no-any-return]


def revoke(session: Session, token: str, *, now: datetime) -> RefreshToken | None:
    """Logout: revoke this token if it is live; the row (or None when unknown)."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(token))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
    return row


def _claim(session: Session, row_id: int, now: datetime) -> bool:
    """Revoke one live token atomically; False when another request got there first."""
    result = session.exec(
        update(RefreshToken)  # type: ignore[call-overload]
        .where(col(RefreshToken.id) == row_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount == 1)


def rotate(
    session: Session, token: str, *, address: str | None, now: datetime, settings: Settings
) -> tuple[User, IssuedRefresh]:
    """Spend a refresh token for a new one. Raises RefreshRefused; on reuse of a revoked
    token every token of its user is revoked first (the caller commits that too)."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(token))
    ).first()
    if row is None:
        raise RefreshRefused("unknown")
    if row.revoked_at is not None:
        revoke_all(session, row.user_id, now=now)
        raise RefreshRefused("reused")
    if as_utc(row.expires_at) <= now:  # type: ignore[operator]
        raise RefreshRefused("expired")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        revoke_all(session, row.user_id, now=now)
        raise RefreshRefused("inactive")
    assert row.id is not None and user.id is not None
    if not _claim(session, row.id, now):
        revoke_all(session, user.id, now=now)
        raise RefreshRefused("reused")
    return user, issue(session, user_id=user.id, address=address, now=now, settings=settings)


def is_live(session: Session, session_id: int) -> bool:
    """Whether the refresh token an access token came with is still unrevoked."""
    row = session.get(RefreshToken, session_id)
    return row is not None and row.revoked_at is None


def find_live(session: Session, token: str, *, now: datetime) -> tuple[User, RefreshToken] | None:
    """The active user a session token belongs to, while it is unrevoked and unexpired
    (the web panel's cookie); None otherwise. The token is not rotated."""
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(token))
    ).first()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now:  # type: ignore[operator]
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user, row
