"""Who may call each route: the current user, and one declaration per route.

Every `/api/v1` route passes `**allow(...)` (or `**public()`) to its decorator. That adds a
dependency answering 401 without a valid token and 403 for a role outside the list, and
writes the same list into the OpenAPI document as `x-allowed-roles`, which
`tests/admin/test_route_access.py` walks: a route without a declaration fails that test.
Finer rules (a person outside the caller's caseload, an NGO's own organisation) stay in
the services and answer 404 like a missing record.

An access token names the refresh token it came with (`sid`); once that is revoked
(logout, password change, deactivation, rotation) the access token stops working too. An
admin without a second factor in production gets a token of the enrolment scope, which
only routes declared with `allow(..., during_enrolment=True)` (the /me/totp routes) accept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from bot.core.deps import SessionDep, SettingsDep
from bot.core.security import ENROL_SCOPE, AccessClaims, InvalidTokenError, decode_access_claims
from bot.models import User
from bot.models.enums import Role
from bot.services.persons import CASEWORKER_ROLES, MAX_ID
from bot.services.sessions import is_live

BAD_TOKEN = "Invalid or expired token."  # noqa: S105  (a message, not a secret)
ENROL_FIRST = (
    "Set up a second factor first: POST /api/v1/me/totp, then /api/v1/me/totp/confirm, "
    "then log in again with the code."
)
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


def _authenticate(
    session: SessionDep, settings: SettingsDep, token: str | None
) -> tuple[User, AccessClaims]:
    if not token:
        raise unauthorized("Not authenticated.")
    try:
        claims = decode_access_claims(token, settings)
    except InvalidTokenError:
        raise unauthorized(BAD_TOKEN) from None
    if claims.user_id > MAX_ID or (
        claims.session_id is not None
        and (claims.session_id > MAX_ID or not is_live(session, claims.session_id))
    ):
        raise unauthorized(BAD_TOKEN)
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise unauthorized(BAD_TOKEN)
    return user, claims


def get_current_claims(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> AccessClaims:
    return _authenticate(session, settings, token)[1]


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    user, claims = _authenticate(session, settings, token)
    if claims.scope == ENROL_SCOPE:
        raise HTTPException(status.HTTP_403_FORBIDDEN, ENROL_FIRST)
    return user


def get_enrolling_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    """A full token or one of the enrolment scope (only for the /me/totp routes)."""
    return _authenticate(session, settings, token)[0]


CurrentUser = Annotated[User, Depends(get_current_user)]
EnrollingUser = Annotated[User, Depends(get_enrolling_user)]
CurrentClaims = Annotated[AccessClaims, Depends(get_current_claims)]


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


def _enrolment_role_guard(roles: frozenset[str]) -> Callable[[User], User]:
    def guard(user: EnrollingUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Your role may not do this.")
        return user

    return guard


def allow(*roles: Role, during_enrolment: bool = False) -> dict[str, Any]:
    """Decorator keywords for a route that these roles may call.

    `during_enrolment=True` also accepts a token of the second-factor enrolment scope;
    only the /me/totp routes use it.
    """
    if not roles:
        raise ValueError("allow() needs at least one role; use public() for an open route")
    names = frozenset(str(role) for role in roles)
    guard = _enrolment_role_guard(names) if during_enrolment else _role_guard(names)
    return {
        "dependencies": [Depends(guard)],
        "openapi_extra": {"x-allowed-roles": sorted(names)},
    }


def public() -> dict[str, Any]:
    """Decorator keywords for a route anyone may call (login, token refresh)."""
    return {"openapi_extra": {"x-allowed-roles": [PUBLIC]}}
