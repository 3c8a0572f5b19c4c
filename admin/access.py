"""Who may call each route: the current user, and one declaration per route.

Every `/api/v1` route passes `**allow(...)` (or `**public()`) to its decorator. That adds a
dependency answering 401 without a valid token and 403 for a role outside the list, and
writes the same list into the OpenAPI document as `x-allowed-roles`, which
`tests/admin/test_route_access.py` walks: a route without a declaration fails that test.
Finer rules (a person outside the caller's caseload, an NGO's own organisation) stay in
the services and answer 404 like a missing record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import InvalidTokenError, decode_access_token
from bot.models import User
from bot.models.enums import Role
from bot.services.persons import CASEWORKER_ROLES, MAX_ID

BAD_TOKEN = "Invalid or expired token."  # noqa: S105  (a message, not a secret)
PUBLIC = "public"
ALL_STAFF = (Role.admin, Role.supervisor, Role.officer, Role.ngo)
CASEWORKERS = (Role.admin, Role.supervisor, Role.officer)

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


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


def _role_guard(roles: frozenset[str]) -> Callable[[User], User]:
    def guard(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Your role may not do this.")
        return user

    return guard


def allow(*roles: Role) -> dict[str, Any]:
    """Decorator keywords for a route that these roles may call."""
    if not roles:
        raise ValueError("allow() needs at least one role; use public() for an open route")
    names = frozenset(str(role) for role in roles)
    return {
        "dependencies": [Depends(_role_guard(names))],
        "openapi_extra": {"x-allowed-roles": sorted(names)},
    }


def public() -> dict[str, Any]:
    """Decorator keywords for a route anyone may call (login, token refresh)."""
    return {"openapi_extra": {"x-allowed-roles": [PUBLIC]}}
