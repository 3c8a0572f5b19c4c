"""Signing in with e-mail, password and (when enabled) a second factor: the rules the API
and the web panel share.

The account is read in one short transaction, which is ended; the password hash is checked
outside any transaction (on SQLite an open transaction holds the write lock, and Argon2 is
slow on purpose); then the attempt is recorded in a second short transaction. Failures are
throttled per account and per client address (`bot.services.login_throttle`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.core import audit
from bot.core.clock import utcnow
from bot.core.security import check_password_limited, email_key
from bot.core.settings import Settings
from bot.models import User
from bot.models.enums import Role
from bot.services import login_throttle, totp
from bot.services.users import MAX_PASSWORD_LENGTH, find_user_by_email

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Incorrect e-mail or password."
DISABLED = "This account is disabled."
OTP_NEEDED = "A one-time code from the authenticator app (or a recovery code) is required."
LOCKED = "Too many failed logins; try again later."


class LoginRefused(Exception):
    """Wrong e-mail, password or second factor, or a disabled account. The attempt is
    already recorded and committed."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = reason


class LoginLocked(Exception):
    """Too many failures for this account or address: try again after `seconds`."""

    def __init__(self, seconds: int) -> None:
        super().__init__(LOCKED)
        self.seconds = seconds


@dataclass(frozen=True)
class LoggedIn:
    user: User
    # "totp", "recovery" or None when the account has no second factor.
    factor: str | None
    # An admin in production without a second factor: may only enrol one.
    enrol_only: bool
    now: datetime


@dataclass(frozen=True)
class _Account:
    """What the login needs of a user, read before the hash check."""

    id: int
    password_hash: str


def log_in(
    session: Session,
    settings: Settings,
    *,
    email: str,
    password: str,
    otp: str | None,
    address: str,
) -> LoggedIn:
    """Check a sign-in. On success the attempt and audit event are added to `session`, not
    committed: the caller adds its session or token row and commits once. Raises
    LoginLocked or LoginRefused (both already committed)."""
    key = email_key(email, settings)

    # 1. A short read: is this account or address locked, and who is it?
    wait = login_throttle.seconds_locked(
        session, email_key=key, address=address, now=utcnow(), settings=settings
    )
    found = None if wait else find_user_by_email(session, email[:320])
    account = _Account(found.id, found.password_hash) if found is not None else None  # type: ignore[arg-type]
    session.rollback()  # end the read before the slow part
    if wait:
        log.info("login refused while locked")
        raise LoginLocked(wait)

    # 2. The hash check, outside any transaction, a few at a time per process.
    too_long = len(password) > MAX_PASSWORD_LENGTH
    valid, new_hash = check_password_limited(
        "" if too_long else password,
        account.password_hash if account else None,
        settings.password_hash_concurrency,
    )
    valid = valid and not too_long

    # 3. A short write: the attempt, the audit event, a rehash.
    user_id = account.id if account else None
    if not valid or account is None:
        raise _deny(session, key, address, user_id, "credentials", BAD_CREDENTIALS)
    # Locked for the write, so two logins cannot spend the same recovery code.
    user = session.get(User, account.id, with_for_update=True)
    if user is None or not user.is_active:
        raise _deny(session, key, address, user_id, "disabled", DISABLED)
    factor = None
    if user.totp_enabled_at is not None:
        factor = totp.check_second_factor(user, otp or "", now=utcnow(), settings=settings)
        if factor is None:
            raise _deny(session, key, address, user_id, "second_factor", OTP_NEEDED)
    now = utcnow()
    if new_hash is not None and user.password_hash == account.password_hash:
        user.password_hash = new_hash
    session.add(user)
    login_throttle.record_attempt(session, email_key=key, address=address, succeeded=True, now=now)
    enrol_only = settings.is_production and user.role == Role.admin and factor is None
    audit.record(
        session,
        action="user.login",
        entity_type="user",
        entity_id=account.id,
        actor_user_id=account.id,
        detail={"second_factor": factor, "enrolment_only": enrol_only},
        address=address,
    )
    return LoggedIn(user=user, factor=factor, enrol_only=enrol_only, now=now)


def _deny(
    session: Session, key: str, address: str, user_id: int | None, reason: str, detail: str
) -> LoginRefused:
    login_throttle.record_attempt(
        session, email_key=key, address=address, succeeded=False, now=utcnow()
    )
    audit.record(
        session,
        action="user.login_failed",
        entity_type="user",
        entity_id=user_id,
        actor_user_id=user_id,
        actor_kind="user" if user_id is not None else "anonymous",
        detail={"reason": reason},
        address=address,
    )
    session.commit()
    log.info("login refused", extra={"user_id": user_id, "reason": reason})
    return LoginRefused(detail, reason)
