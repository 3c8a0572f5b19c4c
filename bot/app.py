"""The composition root: the only module that mounts webhooks/ and admin/."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.core.client_address import ClientAddressMiddleware
from bot.core.db import is_unavailable
from bot.core.health import router as health_router
from bot.core.runtime import Runtime
from bot.core.settings import Settings, load_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, with_worker: bool = False) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(settings, with_worker=with_worker)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="Jolserik",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None if settings.is_production else "/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    # Every audit event written while serving a request notes the client's address.
    app.add_middleware(ClientAddressMiddleware)

    @app.exception_handler(SQLAlchemyError)
    async def database_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        if is_unavailable(exc):
            log.warning("database unavailable", extra={"error": type(exc).__name__})
            return JSONResponse(
                {"detail": "The database is unavailable; retry later."},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        log.exception("database error", exc_info=exc)
        return JSONResponse({"detail": "Internal error."}, status_code=500)

    from admin.api import router as admin_router
    from webhooks.simulator import page_router as simulator_page_router
    from webhooks.simulator import router as simulator_router

    app.include_router(health_router)
    app.include_router(admin_router, prefix="/api/v1")
    if settings.simulator_enabled:
        app.include_router(simulator_router, prefix="/webhooks")
        app.include_router(simulator_page_router)
    if settings.telegram_enabled:
        from webhooks.telegram import router as telegram_router

        app.include_router(telegram_router, prefix="/webhooks")
    if settings.twilio_enabled:
        from webhooks.twilio import router as twilio_router

        app.include_router(twilio_router, prefix="/webhooks")
    return app
