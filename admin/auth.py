"""Log in for an access token and a refresh token; refresh; log out.

A login reads the account in one short transaction, ends it, checks the password hash
outside any transaction (on SQLite an open transaction holds the write lock, and Argon2
is slow on purpose), then records the attempt in a second short transaction. Failures are
throttled per account and per client address (`bot.services.login_throttle`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import StringConstraints
from sqlmodel import Session, SQLModel

from admin.access import public, unauthorized
from admin.persons.schemas import _Input
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import (
    ENROL_SCOPE,
    check_password_limited,
    create_access_token,
    email_key,
)
from bot.core.settings import Settings
from bot.models import User
from bot.models.enums import Role
from bot.services import login_throttle, totp
from bot.services import sessions as session_service
from bot.services.users import MAX_PASSWORD_LENGTH, find_user_by_email

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Incorrect e-mail or password."
DISABLED = "This account is disabled."
OTP_NEEDED = "A one-time code from the authenticator app (or a recovery code) is required."
BAD_REFRESH = "Invalid or expired refresh token; log in again."
LOCKED = "Too many failed logins; try again later."

router = APIRouter(prefix="/auth", tags=["auth"])

RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    # Absent for an enrolment-only token (scope "totp-enrol").
    refresh_token: str | None = None
    refresh_expires_in: int | None = None
    scope: str | None = None


class RefreshIn(_Input):
    refresh_token: RefreshTokenText


@dataclass(frozen=True)
class _Account:
    """What the login needs of a user, read before the hash check."""

    id: int
    password_hash: str


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _deny(
    session: Session,
    *,
    key: str,
    address: str,
    user_id: int | None,
    reason: str,
    detail: str,
) -> HTTPException:
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
    return unauthorized(detail)


def _second_factor(user: User, otp: str | None, settings: Settings) -> tuple[bool, str | None]:
    """(accepted, kind); the code is spent here, in the write transaction."""
    if user.totp_enabled_at is None:
        return True, None
    kind = totp.check_second_factor(user, otp or "", now=utcnow(), settings=settings)
    return kind is not None, kind


@router.post("/token", response_model=Token, response_model_exclude_none=True, **public())
def issue_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    response: Response,
    otp: Annotated[str | None, Form(max_length=64)] = None,
) -> Token:
    """OAuth2 password flow: `username` is the e-mail; `otp` the second factor when enabled
    (a six-digit code, or one of the recovery codes, which is then used up)."""
    response.headers["Cache-Control"] = "no-store"
    address = client_address(request)
    key = email_key(form.username, settings)

    # 1. A short read: is this account or address locked, and who is it?
    wait = login_throttle.seconds_locked(
        session, email_key=key, address=address, now=utcnow(), settings=settings
    )
    found = None if wait else find_user_by_email(session, form.username[:320])
    account = (
        _Account(found.id, found.password_hash)  # type: ignore[arg-type]
        if found is not None
        else None
    )
    session.rollback()  # end the read before the slow part
    if wait:
        log.info("login refused while locked")
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, LOCKED, headers={"Retry-After": str(wait)}
        )

    # 2. The hash check, outside any transaction, a few at a time per process.
    password = form.password if len(form.password) <= MAX_PASSWORD_LENGTH else ""
    valid, new_hash = check_password_limited(
        password, account.password_hash if account else None, settings.password_hash_concurrency
    )
    if len(form.password) > MAX_PASSWORD_LENGTH:
        valid = False

    # 3. A short write: the attempt, the audit event, a rehash, the refresh token.
    user_id = account.id if account else None
    if not valid or account is None:
        raise _deny(
            session,
            key=key,
            address=address,
            user_id=user_id,
            reason="credentials",
            detail=BAD_CREDENTIALS,
        )
    # Locked for the write, so two logins cannot spend the same recovery code.
    user = session.get(User, account.id, with_for_update=True)
    if user is None or not user.is_active:
        raise _deny(
            session, key=key, address=address, user_id=user_id, reason="disabled", detail=DISABLED
        )
    accepted, factor = _second_factor(user, otp, settings)
    if not accepted:
        raise _deny(
            session,
            key=key,
            address=address,
            user_id=user_id,
            reason="second_factor",
            detail=OTP_NEEDED,
        )
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
    if enrol_only:
        # An admin in production without a second factor may only enrol one.
        session.commit()
        issued = create_access_token(account.id, settings, now=now, scope=ENROL_SCOPE)
        return Token(access_token=issued.token, expires_in=issued.expires_in, scope=ENROL_SCOPE)
    refresh = session_service.issue(
        session, user_id=account.id, address=address, now=now, settings=settings
    )
    session.commit()
    issued = create_access_token(account.id, settings, now=now, session_id=refresh.row.id)
    return Token(
        access_token=issued.token,
        expires_in=issued.expires_in,
        refresh_token=refresh.token,
        refresh_expires_in=refresh.expires_in,
    )


@router.post("/refresh", response_model=Token, response_model_exclude_none=True, **public())
def refresh_token(
    body: RefreshIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> Token:
    """Spend a refresh token for a new pair; the old one stops working. Presenting one
    that was already spent revokes every session of its user."""
    response.headers["Cache-Control"] = "no-store"
    now = utcnow()
    try:
        user, refresh = session_service.rotate(
            session,
            body.refresh_token,
            address=client_address(request),
            now=now,
            settings=settings,
        )
    except session_service.RefreshRefused as exc:
        session.commit()  # a reuse revokes every token of the user: keep that
        log.info("refresh refused", extra={"reason": str(exc)})
        raise unauthorized(BAD_REFRESH) from None
    if settings.is_production and user.role == Role.admin and user.totp_enabled_at is None:
        session.rollback()
        raise unauthorized(BAD_REFRESH)
    assert user.id is not None
    session.commit()
    issued = create_access_token(user.id, settings, now=now, session_id=refresh.row.id)
    return Token(
        access_token=issued.token,
        expires_in=issued.expires_in,
        refresh_token=refresh.token,
        refresh_expires_in=refresh.expires_in,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, **public())
def logout(body: RefreshIn, request: Request, session: SessionDep) -> Response:
    """Revoke a refresh token (and the access tokens issued with it). Always 204, so it
    says nothing about whether the token existed."""
    row = session_service.revoke(session, body.refresh_token, now=utcnow())
    if row is not None:
        audit.record(
            session,
            action="user.logout",
            entity_type="user",
            entity_id=row.user_id,
            actor_user_id=row.user_id,
            address=client_address(request),
        )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
