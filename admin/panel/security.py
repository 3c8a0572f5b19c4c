"""The panel's sign-in cookie, its CSRF token and the headers every page carries.

The cookie holds an opaque session token (only its hash is stored, in the same table as
the API's refresh tokens, so signing out, a password change or deactivating the account
ends it at once). HttpOnly, SameSite=Lax (a link in an alert e-mail opens the page signed
in), Secure and `__Host-` prefixed in production.

CSRF: a random token in its own cookie, repeated in every form (`csrf_token`) and in the
`X-CSRF-Token` header htmx sends; a POST whose two copies differ is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response, status

from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import User
from bot.models.enums import Role
from bot.services.sessions import find_live

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = "csrf"
# Scripts, styles and images only from the panel itself; no inline script at all.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def session_cookie(settings: Settings) -> str:
    return "__Host-jolserik_panel" if settings.is_production else "jolserik_panel"


def csrf_cookie(settings: Settings) -> str:
    return "__Host-jolserik_csrf" if settings.is_production else "jolserik_csrf"


class PanelError(Exception):
    """A page that cannot be shown: answered as an HTML page with this status."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class SignInRequired(Exception):
    """No live panel session: the page answers with a redirect to the sign-in form."""


def panel_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    token = request.cookies.get(session_cookie(settings), "")
    found = find_live(session, token, now=utcnow()) if 0 < len(token) <= 128 else None
    if found is None:
        raise SignInRequired()
    user, row = found
    request.state.panel_session_id = row.id
    return user


PanelUser = Annotated[User, Depends(panel_user)]


def caseworker(user: User) -> User:
    """Officers, supervisors and admins; a partner finds nothing, as through the API."""
    if user.role == Role.ngo:
        raise PanelError(404, "not_found")
    return user


def csrf_token(request: Request, settings: Settings) -> str:
    """The token for this browser; a new one is made (and set by `apply_headers`)."""
    existing = request.cookies.get(csrf_cookie(settings), "")
    if 20 <= len(existing) <= 64 and existing.replace("-", "").replace("_", "").isalnum():
        return existing
    fresh = getattr(request.state, "new_csrf", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        request.state.new_csrf = fresh
    return fresh


async def require_csrf(request: Request, settings: SettingsDep) -> None:
    """For every POST: the form's (or htmx header's) token must match the cookie's."""
    expected = request.cookies.get(csrf_cookie(settings), "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise PanelError(status.HTTP_403_FORBIDDEN, CSRF_REFUSED)


CsrfChecked = Depends(require_csrf)


def apply_headers(request: Request, response: Response, settings: Settings) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    fresh = getattr(request.state, "new_csrf", None)
    if fresh is not None:
        response.set_cookie(
            csrf_cookie(settings),
            fresh,
            httponly=True,
            samesite="lax",
            secure=settings.is_production,
            path="/",
        )
    return response


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        session_cookie(settings),
        token,
        max_age=settings.panel_session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        session_cookie(settings),
        path="/",
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )
