"""Pages: a template rendered in the staff member's language with the panel's headers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from admin.panel.i18n import environment, panel_language
from admin.panel.security import CSRF_FIELD, apply_headers, csrf_token
from bot.core.settings import Settings
from bot.models import User
from bot.models.enums import Role

# What each role finds in the navigation; the pages check access again themselves.
NAVIGATION: dict[str, tuple[tuple[str, str], ...]] = {
    Role.admin: (
        ("today", "/panel/"),
        ("cases", "/panel/cases"),
        ("escalations", "/panel/escalations"),
        ("referrals", "/panel/referrals"),
        ("opportunities", "/panel/opportunities"),
        ("figures", "/panel/figures"),
        ("admin", "/panel/admin"),
    ),
    Role.supervisor: (
        ("today", "/panel/"),
        ("cases", "/panel/cases"),
        ("escalations", "/panel/escalations"),
        ("referrals", "/panel/referrals"),
        ("figures", "/panel/figures"),
    ),
    Role.officer: (
        ("today", "/panel/"),
        ("cases", "/panel/cases"),
        ("escalations", "/panel/escalations"),
        ("referrals", "/panel/referrals"),
        ("figures", "/panel/figures"),
    ),
    Role.ngo: (("referrals", "/panel/referrals"), ("opportunities", "/panel/opportunities")),
}


def render(
    request: Request,
    settings: Settings,
    template: str,
    context: dict[str, Any],
    *,
    user: User | None = None,
    language: str | None = None,
    status_code: int = 200,
    active: str = "",
) -> HTMLResponse:
    lang = panel_language(language or (user.language if user else None))
    page = environment(lang).get_template(template)
    values = {
        "user": user,
        "nav": NAVIGATION.get(str(user.role), ()) if user else (),
        "active": active,
        "csrf": csrf_token(request, settings),
        "csrf_field": CSRF_FIELD,
        "tz": user.timezone if user else "UTC",
        **context,
    }
    response = HTMLResponse(page.render(values), status_code=status_code)
    return apply_headers(request, response, settings)  # type: ignore[return-value]


def best_language(request: Request) -> str:
    """For the sign-in page, before anyone is known: ?lang=, else the browser's choice."""
    asked = request.query_params.get("lang")
    if asked:
        return panel_language(asked)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("ru", "kk", "en"):
            return code
    return panel_language(None)
