"""Today: an officer's home page, the same sections as `GET /api/v1/today`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from admin.panel.rendering import render
from admin.panel.security import PanelError, PanelUser
from bot.core.clock import utcnow
from bot.core.deps import SessionDep, SettingsDep
from bot.models.enums import Role
from bot.services.today import read_today, record_read

router = APIRouter()


@router.get("/")
def today(
    request: Request, user: PanelUser, session: SessionDep, settings: SettingsDep
) -> Response:
    if user.role == Role.ngo:
        raise PanelError(404, "not_found")
    now = utcnow()
    sections = read_today(session, user, now)
    record_read(session, user, sections)
    session.commit()
    return render(
        request, settings, "today.html", {"today": sections, "now": now}, user=user, active="today"
    )
