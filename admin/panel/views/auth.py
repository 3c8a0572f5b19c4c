"""Sign in (with the second factor when the account has one) and sign out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from admin.auth import client_address
from admin.panel.rendering import best_language, render
from admin.panel.security import (
    CsrfChecked,
    PanelUser,
    apply_headers,
    clear_session_cookie,
    session_cookie,
    set_session_cookie,
)
from bot.core import audit
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.models.enums import Role
from bot.services import login
from bot.services import sessions as session_service

router = APIRouter()

Email = Annotated[str, Form(max_length=320)]
Password = Annotated[str, Form(max_length=1024)]
Code = Annotated[str, Form(max_length=64)]


def home_for(role: str) -> str:
    return "/panel/referrals" if role == Role.ngo else "/panel/"


@router.get("/login")
def login_form(request: Request, settings: SettingsDep) -> Response:
    return render(request, settings, "login.html", {"error": None}, language=best_language(request))


@router.post("/login", dependencies=[CsrfChecked])
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Email,
    password: Password,
    otp: Code = "",
) -> Response:
    language = best_language(request)
    address = client_address(request)
    try:
        result = login.log_in(
            session,
            settings,
            email=email,
            password=password,
            otp=otp.strip() or None,
            address=address,
        )
    except login.LoginLocked:
        return render(
            request,
            settings,
            "login.html",
            {"error": "locked", "email": email},
            language=language,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    except login.LoginRefused as exc:
        error = "otp" if exc.reason == "second_factor" else "credentials"
        return render(
            request,
            settings,
            "login.html",
            {"error": error, "email": email},
            language=language,
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    if result.enrol_only:
        session.commit()
        return render(
            request,
            settings,
            "login.html",
            {"error": "enrol", "email": email},
            language=language,
            status_code=status.HTTP_403_FORBIDDEN,
        )
    user = result.user
    issued = session_service.issue(
        session,
        user_id=user.id,  # type: ignore[arg-type]
        address=address,
        now=result.now,
        settings=settings,
        lifetime=timedelta(hours=settings.panel_session_hours),
    )
    session.commit()
    response = RedirectResponse(home_for(user.role), status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, settings, issued.token)
    return apply_headers(request, response, settings)


@router.post("/logout", dependencies=[CsrfChecked])
def sign_out(
    request: Request, user: PanelUser, session: SessionDep, settings: SettingsDep
) -> Response:
    token = request.cookies.get(session_cookie(settings), "")
    session_service.revoke(session, token, now=utcnow())
    audit.record(
        session,
        action="user.logout",
        entity_type="user",
        entity_id=user.id,
        actor_user_id=user.id,
        address=client_address(request),
    )
    session.commit()
    response = RedirectResponse("/panel/login", status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response, settings)
    return apply_headers(request, response, settings)
