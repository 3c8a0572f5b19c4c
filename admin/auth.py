"""Log in for an access token and a refresh token; refresh; log out.

The sign-in rules (throttling, the hash check outside any transaction, the second
factor) live in `bot.services.login`, shared with the web panel.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import StringConstraints
from sqlmodel import SQLModel

from admin.access import public, unauthorized
from admin.persons.schemas import _Input
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import ENROL_SCOPE, create_access_token
from bot.models.enums import Role
from bot.services import login
from bot.services import sessions as session_service

log = logging.getLogger(__name__)

BAD_CREDENTIALS = login.BAD_CREDENTIALS
DISABLED = login.DISABLED
OTP_NEEDED = login.OTP_NEEDED
BAD_REFRESH = "Invalid or expired refresh token; log in again."
LOCKED = login.LOCKED

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


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
    try:
        result = login.log_in(
            session,
            settings,
            email=form.username,
            password=form.password,
            otp=otp,
            address=address,
        )
    except login.LoginLocked as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, LOCKED, headers={"Retry-After": str(exc.seconds)}
        ) from None
    except login.LoginRefused as exc:
        raise unauthorized(exc.detail) from None
    account_id, now = result.user.id, result.now
    assert account_id is not None
    if result.enrol_only:
        # An admin in production without a second factor may only enrol one.
        session.commit()
        issued = create_access_token(account_id, settings, now=now, scope=ENROL_SCOPE)
        return Token(access_token=issued.token, expires_in=issued.expires_in, scope=ENROL_SCOPE)
    refresh = session_service.issue(
        session, user_id=account_id, address=address, now=now, settings=settings
    )
    session.commit()
    issued = create_access_token(account_id, settings, now=now, session_id=refresh.row.id)
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
