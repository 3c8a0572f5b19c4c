"""A staff member's own settings in the panel: their name, the language of the panel and
of their alerts, and the time zone its times are shown in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from admin.me.views import MeUpdate
from admin.panel.forms import FormProblem, checked, refusals
from admin.panel.rendering import render
from admin.panel.security import CsrfChecked, PanelUser
from bot.core.deps import SessionDep, SettingsDep
from bot.core.settings import Settings
from bot.models import User
from bot.services.users import update_own

router = APIRouter()

# The zones of the programme's countries first; any IANA name may be typed instead.
ZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Qyzylorda", "Africa/Tunis", "Africa/Kampala", "UTC")
Field = Annotated[str, Form(max_length=200)]


def _page(
    request: Request,
    settings: Settings,
    user: User,
    problem: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        settings,
        "me.html",
        {"zones": ZONES, "problem": problem, "saved": request.query_params.get("saved") == "1"},
        user=user,
        active="me",
        status_code=status_code,
    )


@router.get("/me")
def me(request: Request, user: PanelUser, settings: SettingsDep) -> Response:
    return _page(request, settings, user)


@router.post("/me", dependencies=[CsrfChecked])
def save(
    request: Request,
    user: PanelUser,
    session: SessionDep,
    settings: SettingsDep,
    full_name: Field = "",
    language: Field = "",
    timezone: Field = "",
) -> Response:
    try:
        body = checked(
            MeUpdate,
            "me",
            {"full_name": full_name.strip(), "language": language, "timezone": timezone.strip()},
        )
        with refusals("me"):
            update_own(session, user, body.model_dump(exclude_unset=True))
    except FormProblem as problem:
        session.rollback()
        session.refresh(user)
        return _page(
            request, settings, user, {"form": "me", "message": problem.message}, problem.status_code
        )
    session.commit()
    return RedirectResponse("/panel/me?saved=1", status_code=303)
