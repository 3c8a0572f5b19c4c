"""The staff web panel at /panel: server-rendered pages on the same services and access
rules as the API, its static files, and its HTML answers to errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from admin.panel.i18n import PANEL_DIR
from admin.panel.rendering import best_language, render
from admin.panel.security import PanelError, SignInRequired, apply_headers
from admin.panel.views import (
    admin_accounts,
    admin_audit,
    auth,
    case_actions,
    cases,
    escalations,
    figures,
    me,
    opportunities,
    referrals,
    today,
)
from bot.core.errors import validation_error

PREFIX = "/panel"
# Every page module; a module not listed here is not served.
VIEWS = (
    auth,
    today,
    escalations,
    cases,
    case_actions,
    referrals,
    opportunities,
    figures,
    admin_accounts,
    admin_audit,
    me,
)


def mount_panel(app: FastAPI) -> None:
    from fastapi import APIRouter

    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    for view in VIEWS:
        router.include_router(view.router)
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=PANEL_DIR / "static"), name="panel-static")

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        return apply_headers(request, response, request.app.state.settings)

    async def error_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PanelError)
        settings = request.app.state.settings
        return render(
            request,
            settings,
            "error.html",
            {"status": exc.status_code, "message": exc.message},
            language=best_language(request),
            status_code=exc.status_code,
        )

    async def bad_request(request: Request, exc: Exception) -> Response:
        # The panel answers a malformed address with a page; the API keeps its JSON.
        if not request.url.path.startswith(PREFIX + "/"):
            return await validation_error(request, exc)
        return await error_page(request, PanelError(422, "bad_request"))

    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(PanelError, error_page)
