"""Log in for an access token, and the `CurrentUser` dependency every other endpoint uses."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from sqlmodel import SQLModel

from bot.core import audit
from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import (
    InvalidTokenError,
    burn_password_check,
    create_access_token,
    decode_access_token,
    verify_password,
)
from bot.models import User
from bot.services.persons import CASEWORKER_ROLES, MAX_ID
from bot.services.users import MAX_PASSWORD_LENGTH, find_user_by_email

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Incorrect e-mail or password."
BAD_TOKEN = "Invalid or expired token."  # noqa: S105  (a message, not a secret)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    if not token:
        raise unauthorized("Not authenticated.")
    try:
        user_id = decode_access_token(token, settings)
    except InvalidTokenError:
        raise unauthorized(BAD_TOKEN) from None
    user = session.get(User, user_id) if user_id <= MAX_ID else None
    if user is None or not user.is_active:
        raise unauthorized(BAD_TOKEN)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_caseworker(user: CurrentUser) -> User:
    """Admins, supervisors and officers; NGO accounts work in their own portal."""
    if user.role not in CASEWORKER_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This account cannot work with cases.")
    return user


CaseworkerUser = Annotated[User, Depends(get_caseworker)]


@router.post("/token", response_model=Token)
def issue_token(
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    response: Response,
) -> Token:
    """OAuth2 password flow: `username` is the e-mail."""
    response.headers["Cache-Control"] = "no-store"
    if len(form.password) > MAX_PASSWORD_LENGTH:
        raise unauthorized(BAD_CREDENTIALS)
    user = find_user_by_email(session, form.username)
    if user is None:
        burn_password_check(form.password)  # the same work as for a real account
        log.info("login refused")
        raise unauthorized(BAD_CREDENTIALS)
    valid, new_hash = verify_password(form.password, user.password_hash)
    if not valid:
        log.info("login refused", extra={"user_id": user.id})
        raise unauthorized(BAD_CREDENTIALS)
    if not user.is_active:
        log.info("login of a disabled account refused", extra={"user_id": user.id})
        raise unauthorized("This account is disabled.")
    assert user.id is not None
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
    audit.record(
        session, action="user.login", entity_type="user", entity_id=user.id, actor_user_id=user.id
    )
    session.commit()
    issued = create_access_token(user.id, settings)
    return Token(access_token=issued.token, expires_in=issued.expires_in)
