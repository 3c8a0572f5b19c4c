"""Log in for an access token."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import SQLModel

from admin.access import public, unauthorized
from bot.core import audit
from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import (
    burn_password_check,
    create_access_token,
    verify_password,
)
from bot.services.users import MAX_PASSWORD_LENGTH, find_user_by_email

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Incorrect e-mail or password."

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


@router.post("/token", response_model=Token, **public())
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
